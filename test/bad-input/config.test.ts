/**
 * Malformed fanout.yml: every variant fails with a ConfigError whose problems name the place, the bad value
 * (unless it may be a secret) and what is allowed. Listed in docs/bad-input.md (cases C1-C18); duplicate
 * names, a missing file and a plain http URL are in test/config/schema.test.ts and test/cli/validate.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../lib/config/index.js';

const TARGET = '  - {name: a, type: kinesis, destination: out}';
const withTarget = (source: string, target = TARGET): string => `source: ${source}\ntargets:\n${target}\n`;
const httpTarget = (fields: string): string =>
  withTarget('{stream: input}', `  - {name: hook, type: http, destination: "https://x.example/h"${fields}}`);

/** The problems of a config text as `path: message` lines; fails the test if the text is accepted. */
function problemsOf(text: string): string[] {
  let error: unknown;
  try {
    parseConfigText(text, 'fanout.yml');
  } catch (e) {
    error = e;
  }
  expect(error, 'the config was accepted').toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems.map((p) =>
    p.path ? `${p.path}: ${p.message}` : p.message,
  );
  // Whatever went wrong, the message lists it: a reader never gets a stack trace instead.
  expect((error as ConfigError).message).toContain(`fanout.yml: ${problems.length} problem`);
  return problems;
}

describe('bad fanout.yml', () => {
  it.each([
    ['an empty file', '', 'empty'],
    ['a file with only comments', '# all commented out\n#source:\n', 'empty'],
    ['YAML that is a list', '- source: input\n- targets: []\n', 'a list'],
    ['YAML that is a single value', 'fanout\n', 'a single string ("fanout")'],
  ])('C1 %s: says what the file is and what it should be', (_, text, what) => {
    expect(problemsOf(text)).toEqual([
      `the configuration is ${what}; expected a mapping with "source" and "targets"`,
    ]);
  });

  it('C2 a binary file: not taken for one long string', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0xff]).toString();
    const binary = 'not a YAML text file: it holds binary data (a NUL byte or bytes that are not UTF-8)';
    expect(problemsOf(png)).toEqual([`line 1, column 1: ${binary}`]);
    expect(problemsOf('source: {stream: input}\ntargets:\n  - \u0000\n')).toEqual([
      `line 3, column 5: ${binary}`,
    ]);
  });

  it('C3 text that is not YAML: each syntax error with its line and column', () => {
    const problems = problemsOf('source:\n\tstream: input\ntargets: [\n');
    expect(problems[0]).toMatch(/^line 2, column 1: YAML syntax: Tabs are not allowed as indentation/);
    expect(problemsOf(`${withTarget('{stream: input}')}source: {stream: other}\n`)).toEqual([
      expect.stringMatching(/^line 4, column 1: YAML syntax: Map keys must be unique/),
    ]);
  });

  it('C4 a YAML alias bomb: refused without expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [...'bcdefgh'].map((c, i) => [c, 'abcdefg'[i]])) {
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    expect(problemsOf(bomb.join('\n'))).toEqual([
      'YAML: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it('C5 wrong types: each field named with its value and the type it needs', () => {
    expect(
      problemsOf(
        withTarget(
          '{stream: input, batchSize: lots, bisectOnError: "yes"}',
          '  - {name: 42, type: kinesis, destination: out, enabled: 1}',
        ),
      ),
    ).toEqual([
      'source.batchSize: "lots" is not a number',
      'source.bisectOnError: "yes" is not a boolean',
      'targets[0].name: 42 is not a string',
      'targets[0].enabled: 1 is not a boolean',
    ]);
    expect(problemsOf('source: input\ntargets: {a: 1}\n')).toEqual([
      'source: "input" is not an object',
      'targets: {"a":1} is not an array',
    ]);
    expect(problemsOf(withTarget('{stream: input}', '  - null\n  - just-a-name'))).toEqual([
      'targets[0]: null is not an object',
      'targets[1]: "just-a-name" is not an object',
    ]);
  });

  it('C6 unknown fields, at every level', () => {
    expect(
      problemsOf(
        `extra: 1\n${withTarget('{stream: input, colour: blue}', '  - {name: hook, type: http, destination: "https://x.example/h", http: {retry: 3}}')}`,
      ),
    ).toEqual([
      'source: unknown field "colour"',
      'targets[0].http: unknown field "retry"',
      'unknown field "extra"',
    ]);
  });

  it.each([
    ['upper case', 'Orders'],
    ['a trailing dash', 'orders-'],
    ['a leading dash', '-orders'],
    ['more than 32 characters', 'a'.repeat(33)],
    ['a space', 'my target'],
  ])('C7 a target name with %s: the rule is named', (_, name) => {
    expect(
      problemsOf(withTarget('{stream: input}', `  - {name: "${name}", type: kinesis, destination: out}`)),
    ).toEqual([
      `targets[0].name: "${name}": must be 1-32 characters of [a-z0-9-], starting and ending with [a-z0-9]`,
    ]);
  });

  it('C8 bad http URLs: another protocol, credentials in the URL (never echoed)', () => {
    const url = (u: string) =>
      withTarget('{stream: input}', `  - {name: hook, type: http, destination: "${u}"}`);
    expect(problemsOf(url('ftp://x.example/h'))).toEqual([
      'targets[0].destination: "ftp://x.example/h" has protocol ftp:; an http target needs https://host/path',
    ]);
    const withPassword = problemsOf(url('https://user:hunter2@x.example/h'));
    expect(withPassword).toEqual([
      'targets[0].destination: has credentials in the URL; send them in http.headers (e.g. authorization) or use http.signing',
    ]);
    const insecure = problemsOf(url('http://user:hunter2@x.example/h'));
    expect(insecure.join('\n')).not.toContain('hunter2');
    expect(insecure[0]).toMatch(/"http:\/\/x\.example\/h" is not https/);
  });

  it('C9 huge numbers, infinity and NaN: the value as written, and the range', () => {
    expect(problemsOf(withTarget('{stream: input, batchSize: 99999999999999999999999}'))).toEqual([
      'source.batchSize: 1e+23 is out of range: must be <= 10000',
    ]);
    expect(problemsOf(withTarget('{stream: input, batchSize: 1e400, batchWindow: .nan}'))).toEqual([
      'source.batchSize: Infinity is not a number',
      'source.batchWindow: NaN is not a number',
    ]);
  });

  it('C10 negative numbers and fractions where counts are expected', () => {
    expect(
      problemsOf(
        withTarget(
          '{stream: input, batchSize: -5, shards: 1.5}',
          '  - {name: a, type: kinesis, destination: out, concurrency: -1, retries: -1, timeout: -30}',
        ),
      ),
    ).toEqual([
      'source.batchSize: -5 is out of range: must be >= 1',
      'source.shards: 1.5 is not an integer',
      'targets[0].concurrency: -1 is out of range: must be >= 1',
      'targets[0].retries: -1 is out of range: must be >= 0',
      'targets[0].timeout: -30 is out of range: must be >= 3',
    ]);
  });

  it('C11 empty and oversized strings: the length rule, the value cut short', () => {
    expect(
      problemsOf(withTarget('{stream: input}', '  - {name: a, type: kinesis, destination: ""}')),
    ).toEqual(['targets[0].destination: "" is too short: must be at least 1 character(s)']);
    const [long] = problemsOf(withTarget(`{stream: "${'s'.repeat(100_000)}"}`));
    expect(long).toMatch(/^source\.stream: "s{56}\.\.\.: must be a stream name/);
    expect(long!.length).toBeLessThan(200);
  });

  it('C12 a header name that is not a token, and a header value with a line break (value not echoed)', () => {
    expect(problemsOf(httpTarget(', http: {headers: {"bad header": "x"}}'))).toEqual([
      'targets[0].http.headers.bad header: "bad header": must be a header name (letters, digits, -, no spaces)',
    ]);
    const problems = problemsOf(
      httpTarget(', http: {headers: {authorization: "Bearer s3cret\\r\\nX-Evil: 1"}}'),
    );
    expect(problems).toEqual([
      'targets[0].http.headers.authorization: "[redacted]": must be a header value: no line breaks or control characters',
    ]);
    expect(problems.join()).not.toContain('s3cret');
    expect(problemsOf(httpTarget(', http: {headers: {x-api-key: 12345}}'))).toEqual([
      'targets[0].http.headers.x-api-key: "[redacted]" is not a string',
    ]);
  });

  it('C13 http options out of range or of another kind', () => {
    expect(problemsOf(httpTarget(', http: {timeoutMs: 0, method: GET}'))).toEqual([
      'targets[0].http.method: "GET" is not allowed; expected one of "POST", "PUT"',
      'targets[0].http.timeoutMs: 0 is out of range: must be >= 100',
    ]);
  });

  it('C14 a signing secret that is neither ssm: nor secretsmanager:, or another algorithm', () => {
    expect(
      problemsOf(httpTarget(', http: {signing: {secret: "vault:/kv/partner", algorithm: md5}}')),
    ).toEqual([
      'targets[0].http.signing.secret: must be "ssm:<parameter name or ARN>" or "secretsmanager:<secret name or ARN>"',
      'targets[0].http.signing.algorithm: "md5" is not allowed; expected one of "sha256"',
    ]);
    expect(problemsOf(httpTarget(', http: {signing: {}}'))).toEqual([
      'targets[0].http.signing.secret: is required (string)',
    ]);
  });

  it('C15 settings that contradict each other: via queue with concurrency 1, invoke with 3 retries', () => {
    expect(
      problemsOf(
        withTarget(
          '{stream: input}',
          '  - {name: a, type: sqs, destination: q, via: queue, concurrency: 1}\n  - {name: b, type: kinesis, destination: out, ordered: false, retries: 3}',
        ),
      ),
    ).toEqual([
      'targets[0].concurrency: is 1, but an SQS event source mapping needs 2-1000 (via: queue)',
      'targets[1].retries: is 3, but Lambda retries an async invocation 0-2 times (via: invoke); use via: queue for more',
    ]);
  });

  it('C16 every problem of a file at once, duplicates included, even when fields are bad too', () => {
    const problems = problemsOf(
      withTarget(
        '{stream: "bad stream!"}',
        '  - {name: a, type: mq, destination: x}\n  - {name: a, type: kinesis, destination: y, concurrency: 0}',
      ),
    );
    expect(problems).toHaveLength(4);
    expect(problems).toContain(
      'targets[1].name: duplicate target name "a" (also targets[0].name); names must be unique',
    );
  });
});
