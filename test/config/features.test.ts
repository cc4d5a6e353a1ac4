/** Config rules of the breadth features: ordered targets, claim check, roles and regions, discovery. */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  type FanoutConfigInput,
  isDiscoveredTarget,
  naming,
  parseConfig,
} from '../../lib/config/index.js';

const base = { source: { stream: 'input' } };
const target = { name: 'out', type: 'kinesis', destination: 'output' } as const;

function problemsOf(input: Partial<FanoutConfigInput>): string[] {
  try {
    parseConfig({ ...base, targets: [target], ...input });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('ordered targets', () => {
  it('are kinesis streams and FIFO queues and topics by default, through a FIFO queue; the others by invoke', () => {
    const config = parseConfig({
      ...base,
      targets: [
        target,
        { name: 'fifo-q', type: 'sqs', destination: 'ledger.fifo' },
        { name: 'fifo-t', type: 'sns', destination: 'arn:aws:sns:us-east-1:123456789012:ledger.fifo' },
        { name: 'std-q', type: 'sqs', destination: 'audit' },
        { name: 'hook', type: 'http', destination: 'https://example.com/hook' },
        { name: 'off', type: 'kinesis', destination: 'output', ordered: false },
        { name: 'opt-in', type: 'http', destination: 'https://example.com/hook', ordered: true },
        { name: 'queued', type: 'kinesis', destination: 'output', ordered: false, via: 'queue' },
      ],
    });
    expect(config.targets.map((t) => [t.name, t.ordered, t.via])).toEqual([
      ['out', true, 'queue'],
      ['fifo-q', true, 'queue'],
      ['fifo-t', true, 'queue'],
      ['std-q', false, 'invoke'],
      ['hook', false, 'invoke'],
      ['off', false, 'invoke'],
      ['opt-in', true, 'queue'],
      ['queued', false, 'queue'],
    ]);
    // The functions parse the config local mode or the deploy already parsed: the result is the same.
    expect(parseConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it('discover makes an ordered kinesis target unless told otherwise', () => {
    const of = (extra: Record<string, unknown>) =>
      parseConfig({ ...base, targets: [target], discover: { kinesisStreamPrefix: 'app-', ...extra } })
        .targets[1];
    expect(of({})).toMatchObject({ name: 'discovered', ordered: true, via: 'queue' });
    expect(of({ ordered: false })).toMatchObject({ ordered: false, via: 'invoke' });
  });

  it('tell how to choose when via: invoke meets a target that is ordered by default', () => {
    expect(
      problemsOf({
        targets: [
          { ...target, via: 'invoke' },
          { ...target, name: 'b', type: 'sqs', destination: 'q.fifo', via: 'invoke' },
          { ...target, name: 'c', via: 'invoke', ordered: false },
        ],
        discover: { kinesisStreamPrefix: 'app-', via: 'invoke' },
      }),
    ).toEqual([
      'targets[0].via: is "invoke", but a kinesis target keeps each partition key\'s order by default, which an async invoke cannot: remove via (ordered hand-off through an SQS FIFO queue), or set ordered: false to hand off by invoke without order',
      'targets[1].via: is "invoke", but an sqs target with a FIFO destination keeps each partition key\'s order by default, which an async invoke cannot: remove via (ordered hand-off through an SQS FIFO queue), or set ordered: false to hand off by invoke without order',
      'discover.via: is "invoke", but a kinesis target keeps each partition key\'s order by default, which an async invoke cannot: remove via (ordered hand-off through an SQS FIFO queue), or set ordered: false to hand off by invoke without order',
    ]);
  });

  it('refuse via: invoke, a batch above the FIFO limit, a queue concurrency of 1 and misplaced messageGroups, all at once', () => {
    expect(
      problemsOf({
        targets: [
          { ...target, ordered: true, via: 'invoke' },
          { ...target, name: 'b', ordered: true, batchSize: 11 },
          { ...target, name: 'c', type: 'http', destination: 'https://example.com/c', messageGroups: 8 },
          { ...target, name: 'd', batchSize: 11, concurrency: 1 },
          { ...target, name: 'e', ordered: false, messageGroups: 8 },
        ],
      }),
    ).toEqual([
      'targets[0].via: is "invoke", but an ordered target hands off through an SQS FIFO queue: set via: queue or leave via out',
      'targets[1].batchSize: is 11, but Lambda reads at most 10 messages per batch from a FIFO queue (ordered: true)',
      'targets[2].messageGroups: applies to ordered targets only; set ordered: true',
      "targets[3].batchSize: is 11, but Lambda reads at most 10 messages per batch from a FIFO queue (a kinesis target keeps each partition key's order by default; ordered: false lifts this)",
      "targets[3].concurrency: is 1, but an SQS event source mapping needs 2-1000 (via: queue, as a kinesis target keeps each partition key's order by default)",
      'targets[4].messageGroups: applies to ordered targets only, and this one has ordered: false',
    ]);
  });

  it('name FIFO queues with .fifo, when given the target rather than its name', () => {
    const names = naming('fanout', 'dev');
    expect(names.targetQueue({ name: 'o', ordered: true })).toBe('fanout-dev-o-queue.fifo');
    expect(names.targetDlq({ name: 'o', ordered: true })).toBe('fanout-dev-o-dlq.fifo');
    expect(names.targetDlq({ name: 'o' })).toBe('fanout-dev-o-dlq');
    expect(names.targetQueue('o')).toBe('fanout-dev-o-queue');
  });
});

describe('claimCheck', () => {
  it('is on unless turned off: the stack’s bucket and 15 days by default; false turns it off', () => {
    const claimCheck = (value?: unknown) =>
      parseConfig({ ...base, targets: [target], ...(value === undefined ? {} : { claimCheck: value }) })
        .claimCheck;
    expect(claimCheck()).toEqual({ expireDays: 15 });
    expect(claimCheck({})).toEqual({ expireDays: 15 });
    expect(claimCheck(true)).toEqual({ expireDays: 15 });
    expect(claimCheck({ bucket: 'shared-claims' })).toEqual({ bucket: 'shared-claims', expireDays: 15 });
    expect(claimCheck(false)).toBe(false);
  });

  it('names a value that is neither a switch nor a mapping', () => {
    expect(problemsOf({ claimCheck: 'yes' as unknown as boolean })).toEqual([
      'claimCheck: "yes": must be true, false (off) or a mapping of bucket and expireDays',
    ]);
  });

  it('names a bad bucket and a bad expiry', () => {
    expect(problemsOf({ claimCheck: { bucket: 'Bad_Bucket', expireDays: 0 } })).toEqual([
      'claimCheck.bucket: "Bad_Bucket": must be an S3 bucket name (3-63 characters of [a-z0-9.-])',
      'claimCheck.expireDays: 0 is out of range: must be >= 1',
    ]);
  });
});

describe('role, externalId, region', () => {
  it('accepts a role ARN with an external id, and a region', () => {
    const config = parseConfig({
      ...base,
      targets: [
        {
          ...target,
          role: 'arn:aws:iam::123456789012:role/fanout-writer',
          externalId: 'ext-42',
          region: 'eu-west-1',
        },
      ],
    });
    expect(config.targets[0]).toMatchObject({
      role: 'arn:aws:iam::123456789012:role/fanout-writer',
      region: 'eu-west-1',
    });
  });

  it('refuses an external id without a role, a role or region on http, and a region that contradicts an ARN', () => {
    expect(
      problemsOf({
        targets: [
          { ...target, externalId: 'ext-42' },
          {
            name: 'h',
            type: 'http',
            destination: 'https://x.example',
            role: 'arn:aws:iam::123456789012:role/r',
          },
          {
            ...target,
            name: 'a',
            destination: 'arn:aws:kinesis:us-east-1:123456789012:stream/s',
            region: 'eu-west-1',
          },
          { ...target, name: 'b', role: 'arn:aws:iam::123:role/short' },
        ],
      }),
    ).toEqual([
      'targets[0].externalId: is passed when assuming `role`; set role too',
      'targets[1].role: does not apply to an http target (it calls its URL with no AWS credentials)',
      'targets[2].region: is eu-west-1, but the destination ARN is in us-east-1; leave region out for an ARN',
      'targets[3].role: "arn:aws:iam::123:role/short": must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
    ]);
  });
});

describe('discover', () => {
  const discover = { kinesisStreamPrefix: 'app-output-', via: 'queue' as const, concurrency: 3 };

  it('adds a kinesis target whose destination is the prefix and *, with the settings given', () => {
    const config = parseConfig({ ...base, targets: [target], discover });
    expect(config.discover).toMatchObject({
      kinesisStreamPrefix: 'app-output-',
      refreshSeconds: 300,
      name: 'discovered',
    });
    const added = config.targets[1]!;
    expect(added).toMatchObject({
      name: 'discovered',
      type: 'kinesis',
      destination: 'app-output-*',
      via: 'queue',
      concurrency: 3,
      enabled: true,
    });
    expect(isDiscoveredTarget(added, config.discover)).toBe(true);
    expect(isDiscoveredTarget(config.targets[0]!, config.discover)).toBe(false);
  });

  it('parses its own output to the same config (the functions parse what local mode parsed)', () => {
    const config = parseConfig({ ...base, targets: [target], discover });
    expect(parseConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it('refuses a name taken by a target, a prefix the source stream has, and bad settings', () => {
    expect(
      problemsOf({
        source: { stream: 'app-output-main' },
        targets: [{ ...target, name: 'discovered' }],
        discover: { kinesisStreamPrefix: 'app-output-' },
      }),
    ).toEqual([
      'discover.name: "discovered" is also the name of targets[0]; give discover another name',
      'discover.kinesisStreamPrefix: "app-output-" matches the source stream "app-output-main": its records would come back through the fan-out',
    ]);
    expect(problemsOf({ discover: { kinesisStreamPrefix: 'x-', ordered: true, batchSize: 50 } })).toEqual([
      'discover.batchSize: is 50, but Lambda reads at most 10 messages per batch from a FIFO queue (ordered: true)',
    ]);
    expect(problemsOf({ discover: { kinesisStreamPrefix: 'has space', destination: 'x' } as never })).toEqual(
      [
        'discover.kinesisStreamPrefix: "has space": must be 1-127 characters of [A-Za-z0-9_.-]',
        'discover: unknown field "destination"',
      ],
    );
  });
});
