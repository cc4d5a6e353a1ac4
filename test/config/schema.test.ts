import { describe, expect, it } from 'vitest';
import { ConfigError, idempotencyModeOf, parseConfig, parseConfigText } from '../../lib/config/index.js';

const valid = `
source:
  stream: input
  batchSize: 500
targets:
  - name: output1
    type: kinesis
    destination: output1
  - name: queue-target
    type: sqs
    destination: out-queue
    via: queue
    concurrency: 10
    retries: 5
`;

function problemsOf(text: string): string[] {
  try {
    parseConfigText(text, 'fanout.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('config schema', () => {
  it('fills defaults for every field left out', () => {
    const config = parseConfigText(valid);
    expect(config.source).toMatchObject({
      stream: 'input',
      batchSize: 500,
      batchWindow: 0,
      parallelizationFactor: 1,
      startingPosition: 'LATEST',
      bisectOnError: true,
    });
    // A kinesis stream is an ordered destination: ordered by default, through its FIFO queue.
    expect(config.targets[0]).toMatchObject({
      ordered: true,
      via: 'queue',
      concurrency: 5,
      retries: 2,
      enabled: true,
    });
    expect(config.targets[1]).toMatchObject({ ordered: false, via: 'queue' });
    expect(config.dispatcher.invokePayloadLimit).toBe(1_000_000);
    expect(config.dispatcher.queueMessageLimit).toBe(1_048_576);
    expect(config.service).toBe('fanout');
  });

  it('names the path, the bad value and the allowed values of an enum', () => {
    const problems = problemsOf(valid.replace('via: queue', 'via: carrier-pigeon'));
    expect(problems).toEqual([
      expect.stringMatching(
        /^targets\[1\]\.via: "carrier-pigeon" is not allowed; expected one of "invoke", "queue"$/,
      ),
    ]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(`
source:
  stream: input
  batchSize: 20000
targets:
  - name: Bad_Name
    type: ftp
    destination: x
    colour: blue
`);
    expect(problems).toHaveLength(4);
    expect(problems).toContainEqual('source.batchSize: 20000 is out of range: must be <= 10000');
    expect(problems.some((p) => p.startsWith('targets[0].name: "Bad_Name": must be 1-32 characters'))).toBe(
      true,
    );
    expect(problems.some((p) => p.startsWith('targets[0].type: "ftp" is not allowed'))).toBe(true);
    expect(problems).toContainEqual('targets[0]: unknown field "colour"');
  });

  it('rejects duplicate target names, naming both places', () => {
    const problems = problemsOf(valid.replace('name: queue-target', 'name: output1'));
    expect(problems).toContainEqual(
      'targets[1].name: duplicate target name "output1" (also targets[0].name); names must be unique',
    );
  });

  it('rejects a missing required field and a wrong type', () => {
    expect(problemsOf('source: {}\ntargets: []')).toEqual([
      'source.stream: is required (string)',
      'targets: must list at least one target',
    ]);
    expect(problemsOf(valid.replace('batchSize: 500', 'batchSize: lots'))).toEqual([
      'source.batchSize: "lots" is not a number',
    ]);
  });

  it('checks Lambda rules that depend on the hand-off mode', () => {
    expect(problemsOf(valid.replace('concurrency: 10', 'concurrency: 1'))).toContainEqual(
      'targets[1].concurrency: is 1, but an SQS event source mapping needs 2-1000 (via: queue)',
    );
    const tooManyRetries = valid.replace(
      'destination: output1',
      'destination: output1\n    ordered: false\n    retries: 3',
    );
    expect(problemsOf(tooManyRetries)[0]).toMatch(
      /^targets\[0\]\.retries: is 3, but Lambda retries an async invocation 0-2 times/,
    );
  });

  it('requires https for http targets unless allowed', () => {
    const http = (url: string, extra = ''): string =>
      `source: {stream: input}\ntargets:\n  - {name: hook, type: http, destination: "${url}"${extra}}`;
    expect(problemsOf(http('http://example.com/x'))[0]).toMatch(/is not https; set http.allowInsecure/);
    expect(problemsOf(http('not a url'))[0]).toMatch(/is not a URL/);
    expect(
      parseConfigText(http('http://127.0.0.1:9/x', ', http: {allowInsecure: true}')).targets[0]?.type,
    ).toBe('http');
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('source:\n  stream: [unclosed\ntargets: x')[0]).toMatch(
      /^line \d+, column \d+: YAML syntax/,
    );
  });

  it('derives the idempotency mode: native for FIFO destinations, store otherwise, the setting when given', () => {
    expect(idempotencyModeOf({ type: 'sqs', destination: 'q.fifo' })).toBe('native');
    expect(idempotencyModeOf({ type: 'sqs', destination: 'q' })).toBe('store');
    expect(idempotencyModeOf({ type: 'http', destination: 'https://x' })).toBe('store');
    expect(idempotencyModeOf({ type: 'kinesis', destination: 's', idempotency: 'none' })).toBe('none');
    expect(() =>
      parseConfig({
        source: { stream: 's' },
        targets: [{ name: 'k', type: 'kinesis', destination: 'o', idempotency: 'native' }],
      }),
    ).toThrow(/"native" needs a destination that deduplicates/);
  });

  it('rejects a configuration whose targets are all disabled', () => {
    expect(
      problemsOf(
        'source: {stream: input}\ntargets:\n  - {name: a, type: kinesis, destination: a, enabled: false}',
      ),
    ).toEqual(['targets: has no enabled target']);
  });
});
