/**
 * The hand-written envelope check must never accept what the zod schema refuses: every mutation of a valid
 * envelope below is fed to both, and the fast check may only pass it when decodeEnvelope (the schema) does too.
 */
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, type Envelope, recordId } from '../../lib/envelope/index.js';
import { quickValidateEnvelope } from '../../lib/envelope/quick-validate.js';

const inline = (seq: string, sub?: number) => ({
  id: recordId('input', 'shardId-000000000000', seq, sub),
  seq,
  ...(sub === undefined ? {} : { sub }),
  pk: 'k',
  at: 1_700_000_000_000,
  d: Buffer.from(`record ${seq}`).toString('base64'),
});

const envelope = (): Envelope => ({
  v: 1,
  kind: 'kinesis-fanout/envelope',
  target: 'out-a',
  stream: 'input',
  shard: 'shardId-000000000000',
  sentAt: 1_700_000_000_000,
  records: [inline('1'), inline('2', 3)],
});

type Mutation = [string, (e: Record<string, unknown>, r: Record<string, unknown>) => void];

const MUTATIONS: Mutation[] = [
  ['version 2', (e) => (e.v = 2)],
  ['version "1"', (e) => (e.v = '1')],
  ['another kind', (e) => (e.kind = 'other')],
  ['empty target', (e) => (e.target = '')],
  ['numeric target', (e) => (e.target = 1)],
  ['empty dest', (e) => (e.dest = '')],
  ['a dest', (e) => (e.dest = 'stream-b')],
  ['no stream', (e) => delete e.stream],
  ['empty shard', (e) => (e.shard = '')],
  ['sentAt as text', (e) => (e.sentAt = '1')],
  ['sentAt infinite', (e) => (e.sentAt = Number.POSITIVE_INFINITY)],
  ['records not an array', (e) => (e.records = {})],
  ['an unknown envelope key', (e) => (e.extra = true)],
  ['a null record', (e) => ((e.records as unknown[])[0] = null)],
  ['a record as array', (e) => ((e.records as unknown[])[0] = [])],
  ['empty id', (_, r) => (r.id = '')],
  ['hex sequence number', (_, r) => (r.seq = '0x1f')],
  ['empty sequence number', (_, r) => (r.seq = '')],
  ['numeric sequence number', (_, r) => (r.seq = 1)],
  ['negative sub', (_, r) => (r.sub = -1)],
  ['fractional sub', (_, r) => (r.sub = 1.5)],
  ['sub zero', (_, r) => (r.sub = 0)],
  ['unsafe sub', (_, r) => (r.sub = 2 ** 53)],
  ['numeric pk', (_, r) => (r.pk = 1)],
  ['empty pk', (_, r) => (r.pk = '')],
  ['at as text', (_, r) => (r.at = '1')],
  ['at NaN', (_, r) => (r.at = Number.NaN)],
  ['data not base64', (_, r) => (r.d = '%%%')],
  ['data with bad padding', (_, r) => (r.d = 'abc==')],
  ['empty data', (_, r) => (r.d = '')],
  ['data and pointer', (_, r) => (r.s3 = { b: 'bucket', k: 'key', n: 1 })],
  [
    'pointer only',
    (_, r) => {
      delete r.d;
      r.s3 = { b: 'bucket', k: 'key', n: 1 };
    },
  ],
  [
    'pointer with short bucket',
    (_, r) => {
      delete r.d;
      r.s3 = { b: 'bu', k: 'key', n: 1 };
    },
  ],
  [
    'pointer with an unknown key',
    (_, r) => {
      delete r.d;
      r.s3 = { b: 'bucket', k: 'key', n: 1, x: 1 };
    },
  ],
  ['neither data nor pointer', (_, r) => delete r.d],
  ['an unknown record key', (_, r) => (r.extra = 1)],
];

const schemaAccepts = (value: unknown): boolean => {
  try {
    decodeEnvelope(structuredClone(value));
    return true;
  } catch {
    return false;
  }
};

/**
 * After a mutation of a record's position, its id as the dispatcher would give it: these cases are about the
 * envelope's shape, and decodeEnvelope refuses a record whose id is not its position's (tested in codec.test.ts).
 */
function withIdsOfPositions(e: Record<string, unknown>): void {
  if (!Array.isArray(e.records) || typeof e.stream !== 'string' || typeof e.shard !== 'string') return;
  for (const r of e.records as Array<Record<string, unknown> | null>) {
    if (!r || typeof r !== 'object' || typeof r.seq !== 'string' || typeof r.id !== 'string' || r.id === '')
      continue;
    const sub = typeof r.sub === 'number' && Number.isSafeInteger(r.sub) ? r.sub : undefined;
    r.id = recordId(e.stream, e.shard, r.seq, sub);
  }
}

describe('quickValidateEnvelope', () => {
  it('accepts a well-formed envelope as it is', () => {
    const e = envelope();
    expect(quickValidateEnvelope(e)).toBe(e);
  });

  it.each(MUTATIONS)('accepts %s only when the schema does', (name, mutate) => {
    const e = envelope() as unknown as Record<string, unknown>;
    mutate(e, (e.records as Array<Record<string, unknown>>)[1] ?? {});
    if (!name.includes('id')) withIdsOfPositions(e);
    if (quickValidateEnvelope(structuredClone(e)) !== undefined) expect(schemaAccepts(e)).toBe(true);
  });

  it('still passes the common valid variations', () => {
    for (const name of ['a dest', 'sub zero', 'empty pk', 'empty data', 'pointer only']) {
      const e = envelope() as unknown as Record<string, unknown>;
      MUTATIONS.find(([n]) => n === name)![1](e, (e.records as Array<Record<string, unknown>>)[1]!);
      withIdsOfPositions(e);
      expect(quickValidateEnvelope(e), name).toBeDefined();
      expect(schemaAccepts(e), name).toBe(true);
    }
  });

  it('leaves what it refuses to the schema, which names the problem', () => {
    const e = envelope() as unknown as Record<string, unknown>;
    (e.records as Array<Record<string, unknown>>)[1]!.seq = '0x1f';
    expect(quickValidateEnvelope(e)).toBeUndefined();
    expect(() => decodeEnvelope(e)).toThrow(/records\[1\]\.seq: must be a decimal sequence number/);
  });
});
