/** The dispatcher with filters and KPL aggregates (routing and decoding have their own unit tests). */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  configFactory,
  contextFactory,
  kinesisRecordFactory,
  sequenceNumber,
} from '../../harness/support/factories.js';
import { aggregateRecords } from '../../harness/support/kpl.js';
import { type FanoutConfigInput, naming } from '../../lib/config/index.js';
import { createDispatcher } from '../../lib/dispatch/index.js';
import { decodeEnvelope, type Envelope } from '../../lib/envelope/index.js';
import { awsHandoff } from '../../lib/handoff/index.js';
import { METRICS, recordingTelemetry } from '../../lib/observability/index.js';

const lambda = mockClient(LambdaClient);

function dispatcherFor(targets: FanoutConfigInput['targets']) {
  const telemetry = recordingTelemetry();
  const dispatch = createDispatcher({
    config: configFactory({ targets }),
    names: naming('fanout', 'test'),
    handoff: awsHandoff(new LambdaClient({ region: 'us-east-1' }), new SQSClient({ region: 'us-east-1' })),
    telemetry,
    sleep: async () => {},
  });
  return { telemetry, run: (event: KinesisStreamEvent) => dispatch(event, contextFactory()) };
}

const envelopes = (target: string): Envelope[] =>
  lambda
    .commandCalls(InvokeCommand)
    .map((c) => decodeEnvelope(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()))
    .filter((e) => e.target === target);
const bodies = (target: string): string[] =>
  envelopes(target).flatMap((e) => e.records.map((r) => Buffer.from(r.d ?? '', 'base64').toString()));

const event = (...bodies: Array<string | Buffer>): KinesisStreamEvent => ({
  Records: bodies.map((body, n) => kinesisRecordFactory(body, { n })),
});

beforeEach(() => {
  lambda.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

describe('dispatcher with filters', () => {
  it('hands each target only the records its filter matches, and counts the rest', async () => {
    const { run, telemetry } = dispatcherFor([
      {
        name: 'errors',
        type: 'kinesis',
        destination: 'errors',
        ordered: false,
        filter: { level: ['ERROR'] },
      },
      {
        name: 'slow',
        type: 'kinesis',
        destination: 'slow',
        ordered: false,
        filter: { ms: [{ numeric: ['>', 1000] }] },
      },
    ]);
    const result = await run(
      event('{"level":"ERROR","ms":5}', '{"level":"INFO","ms":2000}', '{"level":"INFO","ms":1}', 'not json'),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(bodies('errors')).toEqual(['{"level":"ERROR","ms":5}']);
    expect(bodies('slow')).toEqual(['{"level":"INFO","ms":2000}']);
    expect(telemetry.counter(METRICS.recordsIn)).toBe(4);
    expect(telemetry.counter(METRICS.recordsUnrouted)).toBe(2);
    expect(telemetry.counter(METRICS.recordsNotJson)).toBe(1);
    expect(telemetry.counter(METRICS.recordsRouted, 'errors')).toBe(1);
  });

  it('still hands records that are not JSON to unfiltered targets', async () => {
    const { run, telemetry } = dispatcherFor([
      {
        name: 'errors',
        type: 'kinesis',
        destination: 'errors',
        ordered: false,
        filter: { level: ['ERROR'] },
      },
      { name: 'all', type: 'kinesis', destination: 'all', ordered: false },
    ]);
    await run(event('not json', '{"level":"ERROR"}'));
    expect(bodies('all')).toEqual(['not json', '{"level":"ERROR"}']);
    expect(bodies('errors')).toEqual(['{"level":"ERROR"}']);
    expect(telemetry.counter(METRICS.recordsUnrouted)).toBe(0);
    expect(telemetry.counter(METRICS.recordsNotJson)).toBe(1);
  });
});

describe('dispatcher with KPL aggregates', () => {
  const aggregate = aggregateRecords([
    { partitionKey: 'a', data: '{"level":"ERROR","n":0}' },
    { partitionKey: 'b', data: '{"level":"INFO","n":1}' },
    { partitionKey: 'c', data: '{"level":"ERROR","n":2}' },
  ]);

  it('hands off user records with their partition keys and sub-sequence numbers, filtered one by one', async () => {
    const { run, telemetry } = dispatcherFor([
      { name: 'all', type: 'kinesis', destination: 'all', ordered: false },
      {
        name: 'errors',
        type: 'kinesis',
        destination: 'errors',
        ordered: false,
        filter: { level: ['ERROR'] },
      },
    ]);
    await run(event('plain', aggregate));
    const all = envelopes('all').flatMap((e) => e.records);
    expect(all.map((r) => [r.seq, r.sub, r.pk])).toEqual([
      [sequenceNumber(0), undefined, 'key-0'],
      [sequenceNumber(1), 0, 'a'],
      [sequenceNumber(1), 1, 'b'],
      [sequenceNumber(1), 2, 'c'],
    ]);
    expect(envelopes('errors').flatMap((e) => e.records.map((r) => r.sub))).toEqual([0, 2]);
    expect(telemetry.counter(METRICS.aggregatedRecords)).toBe(1);
    expect(telemetry.counter(METRICS.recordsIn)).toBe(4);
  });

  it('checkpoints at the outer sequence number when a user record cannot be handed off', async () => {
    lambda.on(InvokeCommand).rejects(
      Object.assign(new Error('denied'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const { run } = dispatcherFor([{ name: 'all', type: 'kinesis', destination: 'all', ordered: false }]);
    const result = await run({ Records: [kinesisRecordFactory(aggregate, { n: 7 })] });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(7) }] });
  });

  it('hands a corrupt aggregate on whole and warns', async () => {
    const { run, telemetry } = dispatcherFor([
      { name: 'all', type: 'kinesis', destination: 'all', ordered: false },
    ]);
    const corrupt = aggregateRecords([{ partitionKey: 'a', data: 'x' }], { corruptChecksum: true });
    await run(event(corrupt));
    const records = envelopes('all').flatMap((e) => e.records);
    expect(records.map((r) => [r.d, r.sub])).toEqual([[corrupt.toString('base64'), undefined]]);
    expect(telemetry.counter(METRICS.aggregatedRecordsCorrupt)).toBe(1);
    expect(telemetry.logs.some((l) => l.level === 'warn' && l.message.includes('KPL'))).toBe(true);
  });
});
