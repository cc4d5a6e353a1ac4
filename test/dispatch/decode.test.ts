import { describe, expect, it } from 'vitest';
import { kinesisRecordFactory, sequenceNumber } from '../../harness/support/factories.js';
import { aggregateRecords } from '../../harness/support/kpl.js';
import { decodeBatch } from '../../lib/dispatch/index.js';
import { decodeEnvelope, recordId } from '../../lib/envelope/index.js';

const SHARD = 'shardId-000000000000';
const entryOf = (entry: Buffer) =>
  decodeEnvelope(
    `{"v":1,"kind":"kinesis-fanout/envelope","target":"t","stream":"input","shard":"${SHARD}","sentAt":0,"records":[${entry.toString()}]}`,
  ).records[0];

describe('decodeBatch', () => {
  it('keeps a plain record as Lambda delivered it, with no sub-sequence number', () => {
    const batch = decodeBatch([kinesisRecordFactory('{"n":1}', { n: 1, partitionKey: 'pk' })]);
    expect(batch).toMatchObject({ stream: 'input', aggregated: 0, corrupt: [] });
    const [record] = batch.records;
    expect(record).toMatchObject({ seq: sequenceNumber(1), pk: 'pk', shard: SHARD, dataBytes: 7 });
    expect(record?.sub).toBeUndefined();
    expect(Buffer.from(record?.data ?? '', 'base64').toString()).toBe('{"n":1}');
    expect(entryOf(record?.entry ?? Buffer.alloc(0))).toEqual({
      id: recordId('input', SHARD, sequenceNumber(1)),
      seq: sequenceNumber(1),
      pk: 'pk',
      at: 1_700_000_000_001,
      d: Buffer.from('{"n":1}').toString('base64'),
    });
  });

  it('splits a KPL aggregate into user records with their own partition keys and sub-sequence numbers', () => {
    const aggregate = aggregateRecords([
      { partitionKey: 'user-a', data: '{"n":0}', explicitHashKey: '1' },
      { partitionKey: 'user-b', data: '{"n":1}' },
      { partitionKey: 'user-a', data: '{"n":2}' },
    ]);
    const batch = decodeBatch([
      kinesisRecordFactory('before', { n: 1 }),
      kinesisRecordFactory(aggregate, { n: 2, partitionKey: 'outer' }),
      kinesisRecordFactory('after', { n: 3 }),
    ]);
    expect(batch.aggregated).toBe(1);
    expect(batch.records.map((r) => [r.seq, r.sub, r.pk])).toEqual([
      [sequenceNumber(1), undefined, 'key-1'],
      [sequenceNumber(2), 0, 'user-a'],
      [sequenceNumber(2), 1, 'user-b'],
      [sequenceNumber(2), 2, 'user-a'],
      [sequenceNumber(3), undefined, 'key-3'],
    ]);
    const entries = batch.records.slice(1, 4).map((r) => entryOf(r.entry));
    expect(entries.map((e) => e?.sub)).toEqual([0, 1, 2]);
    expect(entries.map((e) => Buffer.from(e?.d ?? '', 'base64').toString())).toEqual([
      '{"n":0}',
      '{"n":1}',
      '{"n":2}',
    ]);
    // The sub-sequence number is part of the record id, so each user record has its own idempotency key.
    expect(entries.map((e) => e?.id)).toEqual(
      [0, 1, 2].map((sub) => recordId('input', SHARD, sequenceNumber(2), sub)),
    );
    expect(new Set(batch.records.map((r) => entryOf(r.entry)?.id)).size).toBe(5);
    expect(batch.records[1]?.dataBytes).toBe(7);
  });

  it('passes an aggregate with a bad checksum on whole, as one plain record, and reports it', () => {
    const aggregate = aggregateRecords([{ partitionKey: 'k', data: 'x' }], { corruptChecksum: true });
    const batch = decodeBatch([kinesisRecordFactory(aggregate, { n: 4, partitionKey: 'outer' })]);
    expect(batch.aggregated).toBe(0);
    expect(batch.corrupt).toEqual([
      { seq: sequenceNumber(4), reason: 'aggregated record checksum (MD5) does not match' },
    ]);
    expect(batch.records).toHaveLength(1);
    expect(batch.records[0]).toMatchObject({ pk: 'outer', data: aggregate.toString('base64') });
    expect(batch.records[0]?.sub).toBeUndefined();
  });
});
