/** Ordered targets on the dispatcher side: packing per message group, FIFO attributes, held-back groups. */
import { describe, expect, it } from 'vitest';
import {
  configFactory,
  contextFactory,
  kinesisRecordFactory,
  sequenceNumber,
} from '../../harness/support/factories.js';
import type { FanoutConfigInput } from '../../lib/config/index.js';
import type { QueueMessage } from '../../lib/dispatch/handoff-unit.js';
import { createDispatcher } from '../../lib/dispatch/index.js';
import { messageGroupOf, runOrderedUnit } from '../../lib/dispatch/ordered.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import { FakeHandoff, names } from './support.js';

const ordered = (overrides: Record<string, unknown> = {}): FanoutConfigInput['targets'][number] => ({
  name: 'ledger',
  type: 'sqs',
  destination: 'ledger',
  ordered: true,
  messageGroups: 4,
  ...overrides,
});

/** 40 records over 10 partition keys, big enough that a group needs several envelopes of 1 KiB. */
const event = () => ({
  Records: Array.from({ length: 40 }, (_, i) =>
    kinesisRecordFactory(`{"n":${i},"pad":"${'x'.repeat(200)}"}`, { n: i, partitionKey: `key-${i % 10}` }),
  ),
});

function dispatcher(handoff: FakeHandoff, overrides: Partial<FanoutConfigInput> = {}) {
  return createDispatcher({
    config: configFactory({ targets: [ordered()], ...overrides }),
    names,
    handoff,
    telemetry: recordingTelemetry(),
    sleep: async () => {},
  });
}

describe('message groups', () => {
  it('map a partition key to one of N groups, always the same one, and spread keys over them', () => {
    const groups = new Set(Array.from({ length: 200 }, (_, i) => messageGroupOf(`user-${i}`, 8)));
    expect(groups).toEqual(new Set(['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7']));
    expect(messageGroupOf('user-1', 8)).toBe(messageGroupOf('user-1', 8));
    // FNV-1a of "a" is 0xe40c292c: a change of hash would reshuffle every key's group on deploy.
    expect(messageGroupOf('a', 1_000_000)).toBe(`g${0xe40c292c % 1_000_000}`);
  });
});

describe('dispatcher with an ordered target', () => {
  it('sends FIFO messages, one group per envelope, every key’s records in order, no group twice per call', async () => {
    const handoff = new FakeHandoff();
    const run = dispatcher(handoff, { dispatcher: { queueMessageLimit: 2048 } });
    expect(await run(event(), contextFactory())).toEqual({ batchItemFailures: [] });

    expect(handoff.batches.every((b) => b.queue === 'fanout-test-ledger-queue.fifo')).toBe(true);
    for (const batch of handoff.batches) {
      const groups = batch.entries.map((e) => e.groupId);
      expect(new Set(groups).size, 'groups of one call').toBe(groups.length);
    }
    const sent = handoff.queued('fanout-test-ledger-queue.fifo');
    expect(sent.length).toBeGreaterThan(4);
    for (const { entry, envelope } of sent) {
      expect(envelope.records.every((r) => messageGroupOf(r.pk, 4) === entry.groupId)).toBe(true);
      expect(entry.deduplicationId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    // In the order sent, each key's records are in stream order, and every record went once.
    const seqs = sent.flatMap((s) => s.envelope.records.map((r) => r.seq));
    expect([...seqs].sort()).toEqual(Array.from({ length: 40 }, (_, i) => sequenceNumber(i)));
    for (let k = 0; k < 10; k++) {
      const mine = sent.flatMap((s) =>
        s.envelope.records.filter((r) => r.pk === `key-${k}`).map((r) => r.seq),
      );
      expect(mine).toEqual([...mine].sort());
    }
  });

  it('gives a retried batch the same deduplication ids, so SQS drops the copies', async () => {
    const first = new FakeHandoff();
    const second = new FakeHandoff();
    await dispatcher(first)(event(), contextFactory());
    await dispatcher(second)(event(), contextFactory());
    const ids = (h: FakeHandoff) => h.batches.flatMap((b) => b.entries.map((e) => e.deduplicationId));
    expect(ids(second)).toEqual(ids(first));
  });

  it('holds a failed group back and checkpoints at its first record, while other groups go on', async () => {
    const failing = messageGroupOf('key-3', 4);
    const handoff = new FakeHandoff((entry) => entry.groupId === failing, true);
    const run = dispatcher(handoff, { dispatcher: { queueMessageLimit: 2048 } });
    const result = await run(event(), contextFactory());
    // key-3's first record is record 3 (or an earlier key of the same group).
    const firstOfGroup = event().Records.find((r) => messageGroupOf(r.kinesis.partitionKey, 4) === failing);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: firstOfGroup?.kinesis.sequenceNumber }] });
    // Only the group's first envelope was tried (again and again): none after it.
    const attempts = handoff.batches.flatMap((b) => b.entries).filter((e) => e.groupId === failing);
    expect(attempts.length).toBeGreaterThan(1);
    expect(new Set(attempts.map((e) => e.deduplicationId)).size).toBe(1);
    const others = handoff.queued('fanout-test-ledger-queue.fifo');
    expect(new Set(others.map((o) => o.entry.groupId)).size).toBe(3);
  });
});

describe('a record refused for good in a FIFO group', () => {
  it("is isolated to the FIFO DLQ with the reason; its group's later records go on, in order", async () => {
    const poison = sequenceNumber(13);
    // The queue refuses any envelope that holds record 13, as SQS refuses a body with U+FFFF.
    const handoff = new FakeHandoff(
      (entry, queue) => queue.endsWith('-queue.fifo') && entry.body.includes(`"seq":"${poison}"`),
    );
    const run = dispatcher(handoff, { dispatcher: { queueMessageLimit: 2048 } });

    expect(await run(event(), contextFactory())).toEqual({ batchItemFailures: [] });

    const queued = handoff.queued('fanout-test-ledger-queue.fifo');
    const group = messageGroupOf('key-3', 4);
    const inGroup = queued.filter((q) => q.entry.groupId === group).flatMap((q) => q.envelope.records);
    const expected = event()
      .Records.filter((r) => messageGroupOf(r.kinesis.partitionKey, 4) === group)
      .map((r) => r.kinesis.sequenceNumber)
      .filter((seq) => seq !== poison);
    expect(inGroup.map((r) => r.seq)).toEqual(expected);
    const all = queued.flatMap((q) => q.envelope.records.map((r) => r.seq));
    expect(all).toHaveLength(39);
    expect(new Set(queued.map((q) => q.entry.deduplicationId)).size).toBe(queued.length);

    const dlq = handoff.batches
      .filter((b) => b.queue === 'fanout-test-ledger-dlq.fifo')
      .flatMap((b) => b.entries);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]?.groupId).toBe(group);
    expect(dlq[0]?.deduplicationId).toMatch(/^[\w-]{43}$/);
    expect(JSON.parse(dlq[0]?.body ?? '{}')).toMatchObject({
      kind: 'kinesis-fanout/refused-record',
      target: 'ledger',
      shard: 'shardId-000000000000',
      reason: 'fanout-test-ledger-queue.fifo: refused by the test',
      record: { seq: poison, pk: 'key-3' },
    });
  });
});

describe('runOrderedUnit', () => {
  const message = (group: string, n: number): QueueMessage => ({
    body: `{"g":"${group}","n":${n}}`,
    bytes: 20,
    records: [
      {
        seq: sequenceNumber(n),
        pk: group,
        shard: 's',
        data: '',
        entry: Buffer.alloc(0),
        entryBytes: 0,
        dataBytes: 0,
      },
    ],
    group,
    dedupId: `${group}-${n}`,
  });

  it('sends round after round and stops a group at its first (retryable) failure', async () => {
    const handoff = new FakeHandoff((entry) => entry.deduplicationId === 'a-1', true);
    const outcome = await runOrderedUnit(
      {
        kind: 'ordered',
        target: 't',
        queueName: 'q.fifo',
        rounds: [
          [message('a', 1), message('b', 2)],
          [message('a', 3), message('b', 4)],
        ],
      },
      handoff,
      {
        deadline: Date.now() + 10_000,
        maxAttempts: 3,
        now: Date.now,
        random: () => 0,
        sleep: async () => {},
      },
      1_000_000,
    );
    expect(handoff.batches.map((b) => b.entries.map((e) => e.deduplicationId))).toEqual([
      ['a-1', 'b-2'],
      ['a-1'],
      ['a-1'],
      ['b-4'],
    ]);
    expect(outcome.failed.map((r) => r.seq)).toEqual([sequenceNumber(1), sequenceNumber(3)]);
    expect(outcome.handedOff).toBe(2);
    expect(outcome.reasons.join(' ')).toMatch(/held back behind a failed one of their message group/);
  });
});
