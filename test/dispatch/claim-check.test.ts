/** The claim check on the dispatcher side: large records stored once, envelopes carrying pointers. */
import { describe, expect, it } from 'vitest';
import {
  configFactory,
  contextFactory,
  kinesisRecordFactory,
  sequenceNumber,
} from '../../harness/support/factories.js';
import { ClaimCheckError, type ClaimCheckStore } from '../../lib/claim-check/index.js';
import { claimCheckThreshold, ENVELOPE_HEAD_ROOM, withPointer } from '../../lib/dispatch/claim-check.js';
import { createDispatcher, decodeBatch } from '../../lib/dispatch/index.js';
import { claimCheckKey } from '../../lib/envelope/index.js';
import { METRICS, recordingTelemetry } from '../../lib/observability/index.js';
import { FakeHandoff, names } from './support.js';

/** An in-memory claim store; `fail(key)` makes a put fail (retryable or not). */
function memoryStore(fail: (key: string) => ClaimCheckError | undefined = () => undefined) {
  const objects = new Map<string, Buffer>();
  const puts: string[] = [];
  const store: ClaimCheckStore = {
    async put(bucket, key, body) {
      puts.push(key);
      const error = fail(key);
      if (error) throw error;
      objects.set(`${bucket}/${key}`, Buffer.from(body));
    },
    async get(bucket, key) {
      const data = objects.get(`${bucket}/${key}`);
      if (!data) throw new ClaimCheckError(`s3://${bucket}/${key} is gone`, false);
      return data;
    },
  };
  return { store, objects, puts };
}

const big = (n: number) => `{"n":${n},"pad":"${'x'.repeat(3_000)}"}`;
const small = (n: number) => `{"n":${n}}`;
/** Records 0-5; records 1 and 4 are larger than the 2 KiB hand-off limit. */
const event = () => ({
  Records: Array.from({ length: 6 }, (_, i) =>
    kinesisRecordFactory(i === 1 || i === 4 ? big(i) : small(i), { n: i }),
  ),
});

function dispatcher(store: ClaimCheckStore, claimCheck: Record<string, unknown> | null = {}) {
  const handoff = new FakeHandoff();
  const telemetry = recordingTelemetry();
  const dispatch = createDispatcher({
    config: configFactory({
      dispatcher: { invokePayloadLimit: 2048, queueMessageLimit: 2048 },
      ...(claimCheck ? { claimCheck } : {}),
    }),
    names,
    handoff,
    telemetry,
    claimCheck: { store, bucket: 'claims' },
    sleep: async () => {},
  });
  return { handoff, telemetry, run: () => dispatch(event(), contextFactory()) };
}

describe('claimCheckThreshold', () => {
  it('is the smallest limit of the hand-off modes in use, less room for the envelope head', () => {
    const invokeOnly = configFactory({ dispatcher: { invokePayloadLimit: 500_000 } });
    expect(claimCheckThreshold(invokeOnly)).toBe(500_000 - ENVELOPE_HEAD_ROOM);
    const both = configFactory({
      dispatcher: { invokePayloadLimit: 500_000, queueMessageLimit: 300_000 },
      targets: [
        { name: 'a', type: 'kinesis', destination: 'a' },
        { name: 'b', type: 'sqs', destination: 'b', via: 'queue' },
      ],
    });
    expect(claimCheckThreshold(both)).toBe(300_000 - ENVELOPE_HEAD_ROOM);
  });
});

describe('dispatcher with claimCheck', () => {
  it('stores each large record once and hands every target a pointer in its place, in stream order', async () => {
    const { store, objects, puts } = memoryStore();
    const { handoff, telemetry, run } = dispatcher(store);
    expect(await run()).toEqual({ batchItemFailures: [] });

    const shard = 'shardId-000000000000';
    expect(puts.sort()).toEqual([
      claimCheckKey('fanout-test', 'input', shard, sequenceNumber(1)),
      claimCheckKey('fanout-test', 'input', shard, sequenceNumber(4)),
    ]);
    expect(objects.get(`claims/${puts[0]}`)?.toString()).toBe(big(1));
    for (const target of ['output1', 'output2']) {
      const records = handoff.invokes
        .filter((i) => i.envelope.target === target)
        .flatMap((i) => i.envelope.records);
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 6 }, (_, i) => sequenceNumber(i)));
      expect(records[1]).toMatchObject({ s3: { b: 'claims', k: puts[0], n: big(1).length } });
      expect(records[1]?.d).toBeUndefined();
      expect(Buffer.from(records[0]?.d ?? '', 'base64').toString()).toBe(small(0));
    }
    expect(telemetry.counter(METRICS.claimCheckedRecords)).toBe(2);
    expect(telemetry.counter(METRICS.oversizeRecords, 'output1')).toBe(0);
  });

  it('checkpoints at a record it could not store, and still hands off the others', async () => {
    const { store } = memoryStore((key) =>
      key.endsWith(sequenceNumber(4)) ? new ClaimCheckError('AccessDenied', false) : undefined,
    );
    const { handoff, run } = dispatcher(store);
    expect(await run()).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(4) }] });
    const seqs = handoff.invokes
      .filter((i) => i.envelope.target === 'output1')
      .flatMap((i) => i.envelope.records.map((r) => r.seq));
    expect(seqs).toEqual([0, 1, 2, 3, 5].map(sequenceNumber));
  });

  it('retries a throttled put', async () => {
    let throttled = 0;
    const { store, puts } = memoryStore(() =>
      throttled++ < 2 ? new ClaimCheckError('SlowDown', true) : undefined,
    );
    const { run } = dispatcher(store);
    expect(await run()).toEqual({ batchItemFailures: [] });
    expect(puts).toHaveLength(4);
  });

  it('without claimCheck, sends large records’ positions to the DLQ as before', async () => {
    const { store, puts } = memoryStore();
    const { handoff, run } = dispatcher(store, null);
    expect(await run()).toEqual({ batchItemFailures: [] });
    expect(puts).toEqual([]);
    expect(handoff.batches.map((b) => b.queue).sort()).toEqual([
      'fanout-test-output1-dlq',
      'fanout-test-output2-dlq',
    ]);
  });
});

describe('withPointer', () => {
  it('keeps the entry’s head byte for byte, even with a partition key that looks like a data field', () => {
    const [record] = decodeBatch([kinesisRecordFactory('data', { partitionKey: 'a,"d":"b' })]).records;
    const claimed = withPointer(record!, { b: 'bucket', k: 'key', n: 4 });
    const entry = JSON.parse(claimed.entry.toString());
    expect(entry).toMatchObject({ pk: 'a,"d":"b', s3: { b: 'bucket', k: 'key', n: 4 } });
    expect(entry.d).toBeUndefined();
    expect(claimed.entryBytes).toBe(claimed.entry.length);
  });
});
