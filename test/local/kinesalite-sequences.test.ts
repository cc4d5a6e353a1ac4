/**
 * The BigInt sequence-number conversions put into kinesalite (lib/local/kinesalite-sequences.ts) give exactly
 * kinesalite's own results: the same string, the same parsed parts, the same error, for sequence numbers of
 * every shape kinesalite makes and for inputs it refuses.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../harness/chaos/prng.js';
import {
  type KinesaliteDb,
  loadKinesaliteDb,
  parseSequenceFast,
  speedUpKinesaliteSequences,
  stringifySequenceFast,
} from '../../lib/local/kinesalite-sequences.js';

const real = loadKinesaliteDb();
/** kinesalite's own functions, whatever was done to its module. */
const original: KinesaliteDb = {
  parseSequence: real.parseSequence,
  stringifySequence: real.stringifySequence,
  incrementSequence: real.incrementSequence,
};
const fast: KinesaliteDb = { ...original };
speedUpKinesaliteSequences(fast);

/** The result or the error message: both must match. */
function outcome<T>(run: () => T): T | { error: string } {
  try {
    return run();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const random = seededRandom(7);
const int = (max: number): number => Math.floor(random() * max);
const partsOf = (i: number) => ({
  shardCreateTime: 1_400_000_000_000 + int(600_000_000_000),
  shardIx: [0, 1, 5, 15, 16, 17, 255, 4096, 2_147_483_647][i % 9] ?? 0,
  seqIx: i % 3 === 0 ? int(1_000_000) : String(BigInt(int(2 ** 31)) * BigInt(int(2 ** 31))),
  seqTime: i % 4 === 0 ? undefined : 1_400_000_000_000 + int(600_000_000_000),
  ...(i % 5 === 0 ? { byte1: 'ab' } : {}),
});

describe('kinesalite sequence numbers with BigInt', () => {
  it('stringify, parse and increment as kinesalite does, for 3,000 sequence numbers', () => {
    let fastPaths = 0;
    for (let i = 0; i < 3_000; i++) {
      const parts = partsOf(i);
      const seq = original.stringifySequence(parts);
      expect(fast.stringifySequence(parts)).toBe(seq);
      expect(fast.parseSequence(seq)).toEqual(original.parseSequence(seq));
      expect(fast.incrementSequence(seq)).toBe(original.incrementSequence(seq));
      expect(fast.incrementSequence(original.parseSequence(seq), 1_700_000_000_000)).toBe(
        original.incrementSequence(original.parseSequence(seq), 1_700_000_000_000),
      );
      if (stringifySequenceFast(parts) !== undefined && parseSequenceFast(seq) !== undefined) fastPaths++;
    }
    // The fast path took them all (none fell back to bignumber.js).
    expect(fastPaths).toBe(3_000);
  });

  it('leaves every other input to kinesalite: same results and same errors', () => {
    const seqs = [
      '',
      'abc',
      '1.5',
      '-5',
      '0',
      '12345',
      String(2n ** 124n - 1n),
      String(2n ** 186n),
      original.stringifySequence({ shardCreateTime: 1_500_000_000_000, shardIx: 3, version: 1 }),
      original.stringifySequence({ shardCreateTime: 1_500_000_000_000, shardIx: 3, version: 0 }),
      original.stringifySequence({ shardCreateTime: 1_500_000_000_000, shardIx: -2 }),
      original.stringifySequence({
        shardCreateTime: 1_500_000_000_000,
        shardIx: 1,
        seqIx: String(2n ** 63n),
      }),
    ];
    for (const seq of seqs)
      expect(
        outcome(() => fast.parseSequence(seq)),
        seq,
      ).toEqual(outcome(() => original.parseSequence(seq)));
    const parts = [
      { shardCreateTime: 1_500_000_000_000, shardIx: -1 },
      { shardCreateTime: 1_500_000_000_000, seqIx: '1e3' },
      { shardCreateTime: 1_500_000_000_000, seqIx: 2 ** 60 },
      { shardCreateTime: 1_500_000_000_000, version: 1, seqRand: 'ff' },
      { shardCreateTime: Number.NaN },
    ];
    for (const p of parts)
      expect(
        outcome(() => fast.stringifySequence(p)),
        JSON.stringify(p),
      ).toEqual(outcome(() => original.stringifySequence(p)));
  });
});
