import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem, type FanoutConfigInput } from '../../lib/config/index.js';
import { loadServerlessParts } from '../../lib/deploy/load.js';
import { buildStack } from '../../lib/deploy/stack.js';
import { configWith, fixture, SERVICE_DIR } from './support.js';

const WHERE = { stage: 'test', region: 'us-east-1' };
type TargetInput = FanoutConfigInput['targets'][number];

/** The problems `buildStack` reports for a config, or [] when it builds. */
function problemsOf(overrides: Partial<FanoutConfigInput>, where = WHERE): ConfigProblem[] {
  try {
    buildStack(configWith(overrides), where);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const withTarget = (target: Partial<TargetInput>): Partial<FanoutConfigInput> => ({
  targets: [{ name: 'out', type: 'kinesis', destination: 'output', ...target }],
});

describe('deploy checks', () => {
  it('accepts the example config and the larger test config', () => {
    for (const file of [`${SERVICE_DIR}/fanout.yml`, fixture('large.yml')]) {
      expect(() =>
        loadServerlessParts({ ...WHERE, serviceDir: SERVICE_DIR, configFile: file }),
      ).not.toThrow();
    }
  });

  it('hands the config warnings to serverless.cjs, which prints them and goes on (the example has none)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-warn-'));
    const file = join(dir, 'fanout.yml');
    writeFileSync(
      file,
      'source: {stream: input}\ntargets:\n  - {name: hook, type: http, destination: "https://10.0.0.7/hook"}\n',
    );
    const parts = loadServerlessParts({ ...WHERE, serviceDir: SERVICE_DIR, configFile: file });
    expect(parts.warnings).toEqual([
      'warning: targets[0].destination: 10.0.0.7 is a private address: the worker will post record data there; set http.allowPrivate: true if that is meant',
    ]);
    expect(parts.functions).toHaveProperty('dispatcher');
    expect(
      loadServerlessParts({ ...WHERE, serviceDir: SERVICE_DIR, configFile: `${SERVICE_DIR}/fanout.yml` })
        .warnings,
    ).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the target whose worker function name would pass 64 characters', () => {
    const problems = problemsOf({
      service: 'a-very-long-service-name',
      ...withTarget({ name: 'a-target-name-of-32-characters-x' }),
    });
    expect(problems).toContainEqual({
      path: 'targets[0].name',
      message: expect.stringMatching(/Lambda function name ".+-worker" 69 characters long; AWS allows 64/),
    });
  });

  it('names the service when the dispatcher role name would pass 64 characters', () => {
    const problems = problemsOf(
      { service: 'a-very-long-service-name' },
      { stage: 'sixteen-chars-xx', region: 'ap-southeast-1' },
    );
    expect(problems.map((p) => p.path)).toContain('service');
    expect(problems.find((p) => p.path === 'service')?.message).toMatch(/IAM role name .* AWS allows 64/);
  });

  it('refuses a stage the functions would refuse', () => {
    expect(problemsOf({}, { stage: 'Prod', region: 'us-east-1' })).toEqual([
      { path: 'stage', message: expect.stringContaining('1-16 characters of [a-z0-9-]') },
    ]);
  });

  it.each([
    ['sqs', 'arn:aws:kinesis:us-east-1:123456789012:stream/orders', 'is an ARN of kinesis'],
    ['sns', 'arn:aws:sqs:us-east-1:123456789012:alerts', 'is an ARN of sqs'],
    ['firehose', 'arn:aws:lambda:us-east-1:123456789012:function:f', 'is an ARN of lambda'],
    ['eventbridge', 'arn:aws:sns:us-east-1:123456789012:bus', 'is an ARN of sns'],
    ['lambda', 'arn:aws:events:us-east-1:123456789012:event-bus/default', 'is an ARN of events'],
    ['kinesis', 'arn:aws:firehose:us-east-1:123456789012:deliverystream/x', 'is an ARN of firehose'],
    ['kinesis', 'arn:aws:kinesis:us-east-1:123456789012:table/x', 'is not a kinesis ARN'],
    ['sqs', 'orders/eu', 'is neither an ARN of sqs, a queue URL nor a queue name ([A-Za-z0-9_-], 1-80'],
    ['sqs', 'arn:aws:sqs:us-east-1:123456789012:a/b', 'the resource part must be <name> with a queue name ('],
  ] as const)('refuses a %s target whose destination is %s', (type, destination, message) => {
    // kinesis targets are ordered by default: their hand-off is a (FIFO) queue.
    const via = type === 'sqs' || type === 'kinesis' ? 'queue' : 'invoke';
    const problems = problemsOf(withTarget({ type, destination, via, concurrency: 2 }));
    expect(problems).toEqual([{ path: 'targets[0].destination', message: expect.stringContaining(message) }]);
  });

  it('refuses a kinesis target that writes back into the source stream', () => {
    const problems = problemsOf(withTarget({ destination: 'input' }));
    expect(problems).toEqual([
      { path: 'targets[0].destination', message: expect.stringContaining('is the source stream') },
    ]);
  });

  it('refuses a lambda target that invokes a function of the stack itself', () => {
    const problems = problemsOf(withTarget({ type: 'lambda', destination: 'fanout-test-out-worker' }));
    expect(problems.map((p) => p.path)).toEqual(['targets[0].destination']);
  });

  it('refuses an existing stream ARN while create is true, and one in another region', () => {
    const problems = problemsOf({
      source: { stream: 'arn:aws:kinesis:eu-west-1:123456789012:stream/input' },
    });
    expect(problems.map((p) => p.path)).toEqual(['source.create', 'source.stream']);
    expect(problems[1]?.message).toContain('reads only streams of its own region');
  });

  it('asks for the timestamp of startingPosition AT_TIMESTAMP', () => {
    const problems = problemsOf({ source: { stream: 'input', startingPosition: 'AT_TIMESTAMP' } });
    expect(problems.map((p) => p.path)).toEqual(['source.startingPositionTimestamp']);
  });

  it('refuses more targets than one CloudFormation stack can hold', () => {
    // 55 queue targets pass the config's bound (60) but need 14 + 9 x 55 = 509 resources.
    const targets = Array.from({ length: 55 }, (_, i) => ({
      name: `t${i}`,
      type: 'kinesis' as const,
      destination: `out-${i}`,
      via: 'queue' as const,
    }));
    const problems = problemsOf({ targets });
    expect(problems).toEqual([{ path: 'targets', message: expect.stringMatching(/at most 500/) }]);
  });

  it.each([
    ['bad-duplicate-name.yml', 'targets[1].name', 'duplicate target name'],
    ['bad-name-too-long.yml', 'targets[0].name', 'AWS allows 64'],
    ['bad-queue-to-stream.yml', 'targets[0].destination', 'is an ARN of kinesis'],
    ['bad-wrong-service.yml', 'targets[1].destination', 'a firehose target needs an ARN of firehose'],
  ])('fails on fixtures/%s before anything is packaged, naming %s', (file, path, message) => {
    let error: unknown;
    try {
      loadServerlessParts({ ...WHERE, serviceDir: SERVICE_DIR, configFile: fixture(file) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContainEqual({
      path,
      message: expect.stringContaining(message),
    });
    expect((error as ConfigError).message).toContain(file);
  });
});
