/**
 * fanout.yml mistakes beyond a bad field: YAML syntax errors and misspelt fields (where and what, with a
 * suggestion), destinations that loop back into the fan-out (refused), addresses an http target should not
 * post to (warned), and configurations too large to be one (refused before they are read or walked).
 * docs/bad-input.md C19-C31.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main.js';
import {
  ConfigError,
  configWarnings,
  loadConfigFile,
  parseConfig,
  parseConfigText,
} from '../../lib/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fanout-bad-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SOURCE = { stream: 'input' };

/** The problems of a config (text or document) as `path: message` lines; fails the test if it is accepted. */
function problemsOf(input: string | Record<string, unknown>): string[] {
  let error: unknown;
  try {
    if (typeof input === 'string') parseConfigText(input, 'fanout.yml');
    else parseConfig(input, 'fanout.yml');
  } catch (e) {
    error = e;
  }
  expect(error, 'the config was accepted').toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
}

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
};

describe('YAML syntax errors and misspelt fields', () => {
  it('C19 an unclosed quote is reported where it opens, with the line and a caret, not at the end of the file', () => {
    const text = [
      'source:',
      '  stream: "input',
      'targets:',
      '  - name: a',
      '    type: kinesis',
      '    destination: out',
      '    via: invoke',
      '    concurrency: 5',
      '',
    ].join('\n');
    const error = (() => {
      try {
        parseConfigText(text, 'fanout.yml');
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.message).toBe(
      [
        'fanout.yml: 1 problem',
        '  - line 2, column 11: YAML syntax: missing closing ": the quoted value that starts here is never closed',
        '      2 |   stream: "input',
        '        |           ^',
      ].join('\n'),
    );
  });

  it('C20 a missing colon: its line, what the parser says and what it usually means; no dangling colon', () => {
    const [problem] = problemsOf('source:\n  stream input\n  batchSize: 10\ntargets: []\n');
    expect(problem).toBe(
      [
        'line 2, column 3: YAML syntax: Implicit keys need to be on a single line; is the colon after a key missing, or its value on the next line?',
        '      2 |   stream input',
        '        |   ^',
      ].join('\n'),
    );
  });

  it('C21 an unknown field close to a known one: "did you mean"; a far one: no guess', () => {
    const target = { name: 'a', type: 'kinesis', destination: 'out' };
    expect(problemsOf({ source: SOURCE, targets: [{ ...target, concurency: 5 }] })).toEqual([
      'targets[0]: unknown field "concurency"; did you mean concurrency?',
    ]);
    expect(problemsOf({ source: { ...SOURCE, batchsize: 10 }, targets: [target] })).toEqual([
      'source: unknown field "batchsize"; did you mean batchSize?',
    ]);
    expect(
      problemsOf({ source: SOURCE, targets: [{ ...target, retires: 1, colour: 'blue' }], dispatcherr: {} }),
    ).toEqual([
      'targets[0]: unknown fields "retires", "colour"; did you mean retries for "retires"?',
      'unknown field "dispatcherr"; did you mean dispatcher?',
    ]);
  });
});

describe('destinations that loop back into the fan-out (refused)', () => {
  const loop =
    'is the source stream: every record written there comes back through the fan-out, again and again';

  it('C22 a kinesis target into the source stream: by name, by ARN, or in local mode', () => {
    const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/input';
    const kinesis = (fields: Record<string, unknown>) => ({ name: 'copy', type: 'kinesis', ...fields });
    expect(problemsOf({ source: SOURCE, targets: [kinesis({ destination: 'input' })] })).toEqual([
      `targets[0].destination: "input" ${loop}`,
    ]);
    expect(
      problemsOf({ source: { stream: arn, create: false }, targets: [kinesis({ destination: arn })] }),
    ).toEqual([`targets[0].destination: "${arn}" ${loop}`]);
    expect(
      problemsOf({
        source: SOURCE,
        targets: [kinesis({ destination: 'copy', local: { destination: 'input' } })],
      }),
    ).toEqual([`targets[0].local.destination: "input" ${loop}`]);
    // Another account or region is another stream of the same name.
    const other = 'arn:aws:kinesis:us-east-1:210987654321:stream/input';
    expect(() =>
      parseConfig({ source: { stream: arn, create: false }, targets: [kinesis({ destination: other })] }),
    ).not.toThrow();
    expect(() =>
      parseConfig({ source: SOURCE, targets: [kinesis({ destination: 'input', region: 'eu-west-1' })] }),
    ).not.toThrow();
  });

  it('C23 a discovered prefix that matches the source stream', () => {
    expect(
      problemsOf({
        source: { stream: 'app-output-main' },
        targets: [{ name: 'a', type: 'kinesis', destination: 'out' }],
        discover: { kinesisStreamPrefix: 'app-output-' },
      }),
    ).toEqual([
      'discover.kinesisStreamPrefix: "app-output-" matches the source stream "app-output-main": its records would come back through the fan-out',
    ]);
  });

  it.each([
    ['a DLQ by name', 'fanout-dev-hook-dlq'],
    ['a hand-off queue by URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout-prod-hook-queue'],
    ['a FIFO DLQ by ARN', 'arn:aws:sqs:us-east-1:123456789012:fanout-local-hook-dlq.fifo'],
    ['the failure queue', 'fanout-dev-dispatcher-failures'],
  ])('C24 an sqs target into one of the stack’s own queues (%s), any stage', (_, destination) => {
    const targets = [
      { name: 'hook', type: 'http', destination: 'https://example.com/h' },
      { name: 'copy', type: 'sqs', destination },
    ];
    expect(problemsOf({ source: SOURCE, targets })).toEqual([
      `targets[1].destination: "${destination}" is a queue of this stack (hand-off queue, DLQ or failure queue of service "fanout"): its workers and replay read envelopes there, and every record written there would fail as unparseable`,
    ]);
    // Another service's queue of the same shape is not this stack's.
    expect(() =>
      parseConfig({
        source: SOURCE,
        targets: [{ ...targets[1], destination: 'other-dev-hook-dlq' }, targets[0]],
      }),
    ).not.toThrow();
  });

  it('C25 a lambda target that is one of the stack’s own functions', () => {
    expect(
      problemsOf({
        source: SOURCE,
        targets: [
          {
            name: 'fn',
            type: 'lambda',
            destination: 'arn:aws:lambda:us-east-1:123456789012:function:fanout-dev-dispatcher',
          },
        ],
      }),
    ).toEqual([
      'targets[0].destination: "arn:aws:lambda:us-east-1:123456789012:function:fanout-dev-dispatcher" is a function of this stack (service "fanout"); a lambda target must be another function',
    ]);
  });
});

describe('addresses an http target should not post to (warned, not refused)', () => {
  const http = (destination: string, http: Record<string, unknown> = {}) =>
    parseConfig({
      source: SOURCE,
      targets: [{ name: 'hook', type: 'http', destination, http: { allowInsecure: true, ...http } }],
    });

  it.each([
    [
      'http://169.254.169.254/latest/meta-data/',
      '169.254.169.254 is the instance metadata service (169.254.169.254)',
    ],
    ['http://127.0.0.1:8080/hook', '127.0.0.1 is a loopback address'],
    ['https://2130706433/hook', '127.0.0.1 is a loopback address'],
    ['https://[::1]/hook', '[::1] is a loopback address'],
    ['https://[::ffff:127.0.0.1]/hook', '[::ffff:7f00:1] is a loopback address'],
    ['https://10.1.2.3/hook', '10.1.2.3 is a private address'],
    ['https://172.20.0.1/hook', '172.20.0.1 is a private address'],
    ['https://192.168.1.10/hook', '192.168.1.10 is a private address'],
    ['https://[fd12:3456::1]/hook', '[fd12:3456::1] is a private (unique local) address'],
    ['https://[fe80::1]/hook', '[fe80::1] is a link-local address'],
    ['https://localhost/hook', 'localhost is this host (localhost)'],
    [
      'http://metadata.google.internal/computeMetadata/v1/',
      'metadata.google.internal is a cloud metadata service',
    ],
  ])('C26 %s: a warning naming the address, unless http.allowPrivate', (destination, what) => {
    expect(configWarnings(http(destination))).toEqual([
      {
        path: 'targets[0].destination',
        message: `${what}: the worker will post record data there; set http.allowPrivate: true if that is meant`,
      },
    ]);
    expect(configWarnings(http(destination, { allowPrivate: true }))).toEqual([]);
  });

  it('C26 public addresses and names: no warning', () => {
    for (const url of [
      'https://example.com/h',
      'https://8.8.8.8/h',
      'https://172.32.0.1/h',
      'https://[2001:db8::1]/h',
    ]) {
      expect(configWarnings(http(url)), url).toEqual([]);
    }
  });

  it('C26 fanout validate prints the warning and still exits 0', async () => {
    const path = join(dir, 'metadata.yml');
    writeFileSync(
      path,
      'source: {stream: input}\ntargets:\n  - {name: hook, type: http, destination: "http://169.254.169.254/x", http: {allowInsecure: true}}\n',
    );
    const c = capture();
    expect(await main(['node', 'fanout', 'validate', path], c.io)).toBe(0);
    expect(c.err).toEqual([
      'warning: targets[0].destination: 169.254.169.254 is the instance metadata service (169.254.169.254): the worker will post record data there; set http.allowPrivate: true if that is meant',
    ]);
    expect(c.out.join('\n')).toMatch(/^ok: /);
  });

  it('C27 the claim check turned off: a warning that oversize records then depend on the stream retention', () => {
    const config = parseConfig({
      source: SOURCE,
      targets: [{ name: 'a', type: 'kinesis', destination: 'out' }],
      claimCheck: false,
    });
    expect(configWarnings(config)).toEqual([
      {
        path: 'claimCheck',
        message:
          'is off: a record above the hand-off limit goes to the DLQ as its position only, replayable while the stream keeps it (24 hours by default), then lost',
      },
    ]);
  });
});

describe('configurations too large to be one (refused before they are read or walked)', () => {
  it('C28 a 50 MB file: refused by its size, without reading it (the size is exact: only fstat knows it)', () => {
    const path = join(dir, 'huge.yml');
    writeFileSync(path, '');
    truncateSync(path, 50_000_000);
    expect(() => loadConfigFile(path)).toThrow(
      'the file is 50,000,000 bytes; a configuration may be at most 1 MiB (1,048,576 bytes): is this the right file?',
    );
  });

  it('C28 a device that never ends: refused after 1 MiB and a byte', () => {
    expect(() => loadConfigFile('/dev/zero')).toThrow('the file is more than 1 MiB');
  });

  it('C29 835,731 targets: one problem, before the schema walks any of them', () => {
    // Every target is invalid: had the schema walked them, there would be millions of problems.
    const targets = Array.from({ length: 835_731 }, () => ({}));
    expect(problemsOf({ source: SOURCE, targets })).toEqual([
      'targets: lists 835,731 targets; a configuration may have at most 60: one CloudFormation stack holds 500 resources and each target needs at least 8; split the targets over two services',
    ]);
  });

  it('C30 strings beyond their limits: each named with the limit', () => {
    const hook = (fields: Record<string, unknown>) => ({
      source: SOURCE,
      targets: [{ name: 'hook', type: 'http', destination: 'https://example.com/h', ...fields }],
    });
    const longUrl = `https://example.com/${'x'.repeat(2_100)}`;
    expect(problemsOf(hook({ destination: longUrl }))).toEqual([
      `targets[0].destination: ${JSON.stringify(longUrl).slice(0, 57)}... is too long: must be at most 2048 characters`,
    ]);
    expect(problemsOf(hook({ http: { headers: { 'x-big': 'v'.repeat(8_193) } } }))).toEqual([
      `targets[0].http.headers.x-big: "${'v'.repeat(56)}... is too long: must be at most 8192 characters`,
    ]);
    const headers = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`x-h${i}`, 'v']));
    expect(problemsOf(hook({ http: { headers } }))).toEqual([
      expect.stringMatching(/^targets\[0\]\.http\.headers: .*may hold at most 50 headers$/),
    ]);
    const filter = { log: Array.from({ length: 1_000 }, (_, i) => `value-${i}`) };
    expect(problemsOf(hook({ filter }))).toEqual([
      `targets[0].filter: is ${JSON.stringify(filter).length.toLocaleString('en-US')} characters as JSON; at most 4,096`,
    ]);
    const transform = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`field${i}`, `$.a${i}`]));
    expect(problemsOf(hook({ transform }))[0]).toMatch(
      /^targets\[0\]\.transform: is \d{1,3},\d{3} characters as JSON; at most 4,096$/,
    );
  });

  it('C31 claimCheck neither a switch nor a mapping', () => {
    expect(
      problemsOf({
        source: SOURCE,
        targets: [{ name: 'a', type: 'kinesis', destination: 'out' }],
        claimCheck: 'yes',
      }),
    ).toEqual(['claimCheck: "yes": must be true, false (off) or a mapping of bucket and expireDays']);
  });
});
