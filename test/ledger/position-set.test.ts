import { describe, expect, it } from 'vitest';
import { kinesisSequenceNumber, sequenceNumber } from '../../harness/support/factories.js';
import type { Position } from '../../lib/ledger/position.js';
import { PositionSet } from '../../lib/ledger/position-set.js';

const v2 = (n: number): Position => ({ seq: kinesisSequenceNumber(n) });
const range = (from: number, to: number, of = v2): Position[] =>
  Array.from({ length: to - from }, (_, i) => of(from + i));

/** A seeded PRNG, so a failure names the case that broke. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('PositionSet', () => {
  it('holds exactly the positions added: a left-out record is a gap, never inside a range', () => {
    const set = PositionSet.of([...range(0, 10), ...range(11, 20)]);
    expect(set.has(v2(10))).toBe(false);
    expect(set.has(v2(9))).toBe(true);
    expect(set.has(v2(11))).toBe(true);
    expect(set.has(v2(20))).toBe(false);
    expect(set.size).toBe(19);
  });

  it('stores a run of consecutive records in a few bytes, however long', () => {
    const run = PositionSet.of(range(0, 1_000));
    // One arrival second (1,000 records a second in the factory): one group, one range.
    expect(run.encode().length).toBeLessThan(60);
    // A sparse share (every 10th record: a lane of a parallelized shard) costs about 2 bytes a record.
    const sparse = PositionSet.of(range(0, 1_000).filter((_, i) => i % 10 === 0));
    expect(sparse.encode().length).toBeLessThan(60 + 2 * 100);
  });

  it('merges ranges that touch, and splits them when positions are taken out', () => {
    const set = PositionSet.of(range(0, 5));
    set.addAll(range(5, 10));
    expect(set.encode().split(',')).toHaveLength(1);
    set.deleteAll([v2(3), v2(7)]);
    expect(range(0, 10).filter((p) => set.has(p)).length).toBe(8);
    expect(set.has(v2(3))).toBe(false);
    expect(set.has(v2(7))).toBe(false);
  });

  it('keeps KPL user records of one Kinesis record apart from the plain record and from each other', () => {
    const seq = kinesisSequenceNumber(3);
    const set = PositionSet.of([
      { seq, sub: 0 },
      { seq, sub: 1 },
      { seq, sub: 3 },
    ]);
    expect(set.has({ seq, sub: 2 })).toBe(false);
    expect(set.has({ seq })).toBe(false);
    expect(set.has({ seq, sub: 3 })).toBe(true);
  });

  it('agrees with a plain Set, and survives its text form, on random sets of every kind of position', () => {
    const random = prng(7);
    const kinds = [
      (n: number): Position => v2(n),
      (n: number): Position => ({ seq: sequenceNumber(n) }),
      (n: number): Position => ({ seq: kinesisSequenceNumber(n % 50), sub: n }),
    ];
    for (let round = 0; round < 30; round++) {
      const key = (p: Position) => `${p.seq}.${p.sub ?? ''}`;
      const all = Array.from({ length: 400 }, (_, n) => (kinds[n % 3] as (n: number) => Position)(n * 7));
      const added = all.filter(() => random() < 0.6);
      const removed = added.filter(() => random() < 0.3);
      const expected = new Set(added.map(key));
      for (const p of removed) expected.delete(key(p));
      const set = PositionSet.of(added);
      set.deleteAll(removed);
      const decoded = PositionSet.decode(set.encode());
      for (const p of all) {
        expect(set.has(p), key(p)).toBe(expected.has(key(p)));
        expect(decoded.has(p), key(p)).toBe(expected.has(key(p)));
      }
      expect(decoded.size).toBe(expected.size);
    }
  });

  it('refuses a damaged text form instead of reading it as fewer positions', () => {
    expect(() => PositionSet.decode('v2:1,!')).toThrow(/bad range/);
    expect(() => PositionSet.decode('x:1')).toThrow(/bad group/);
  });

  it('knows its last position in shard order', () => {
    const set = PositionSet.of([v2(3), v2(2_500), { seq: kinesisSequenceNumber(2_000), sub: 4 }]);
    expect(set.max()).toEqual({ seq: kinesisSequenceNumber(2_500) });
    expect(new PositionSet().max()).toBeUndefined();
  });
});
