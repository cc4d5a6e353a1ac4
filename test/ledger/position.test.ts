import { describe, expect, it } from 'vitest';
import { kinesisSequenceNumber, sequenceNumber } from '../../harness/support/factories.js';
import {
  comparePositions,
  ordinalOf,
  type Position,
  positionOf,
  sortKey,
} from '../../lib/ledger/position.js';

describe('positions as (group, ordinal)', () => {
  it('gives a version-2 sequence number its record index as ordinal, and the rest as its group', () => {
    const a = ordinalOf({ seq: kinesisSequenceNumber(5) });
    const b = ordinalOf({ seq: kinesisSequenceNumber(6) });
    expect(a.group).toBe(b.group);
    expect(b.n - a.n).toBe(1n);
    // Another arrival second is another group: a range never spans two of them.
    expect(ordinalOf({ seq: kinesisSequenceNumber(1_000) }).group).not.toBe(a.group);
  });

  it.each<[string, Position]>([
    ['version 2', { seq: kinesisSequenceNumber(123_456, { shard: 3 }) }],
    ['an AWS sample', { seq: '49590338271490256608559692538361571095921575989136588898' }],
    ['another decimal', { seq: sequenceNumber(42) }],
    ['a KPL user record', { seq: kinesisSequenceNumber(7), sub: 12 }],
    ['leading zeros', { seq: '000123' }],
    ['zero', { seq: '0' }],
  ])('maps %s back to the same position', (_, position) => {
    const back = positionOf(ordinalOf(position));
    expect(back.seq).toBe(position.seq);
    expect(back.sub).toBe(position.sub);
  });

  it('sorts positions by sequence number value, then sub-sequence', () => {
    const sorted: Position[] = [
      { seq: '9' },
      { seq: '10' },
      { seq: '10', sub: 0 },
      { seq: '10', sub: 2 },
      { seq: '10', sub: 10 },
      { seq: kinesisSequenceNumber(1) },
      { seq: kinesisSequenceNumber(2) },
    ];
    const shuffled = [...sorted].reverse();
    expect(shuffled.sort(comparePositions)).toEqual(sorted);
    expect(sortKey({ seq: '9' }) < sortKey({ seq: '10' })).toBe(true);
  });
});
