/**
 * kinesalite converts every sequence number between decimal and hex with bignumber.js: in local mode that is
 * about a third of kinesalite's CPU (a V8 profile of `npm run bench -- --only end-to-end --cpu-prof DIR`:
 * bignumber.js's base conversion is its hottest function), and kinesalite is a quarter of the pipeline's CPU.
 * Native BigInt does the same conversions many times faster. This replaces kinesalite's `parseSequence`,
 * `stringifySequence` and `incrementSequence` (its actions call them through the module's exports) with versions that give the same
 * results, and fall back to the originals for any input they do not handle exactly as bignumber.js would
 * (not a decimal integer, a negative shard index, an unknown version): behaviour is kinesalite's, only faster.
 */
import { createRequire } from 'node:module';

interface SequenceParts {
  shardCreateTime: number;
  seqIx?: string | number;
  byte1?: string;
  seqTime?: number;
  seqRand?: string;
  shardIx?: number;
  version?: number | null;
}

export interface KinesaliteDb {
  parseSequence(seq: string): SequenceParts;
  stringifySequence(parts: SequenceParts): string;
  incrementSequence(seq: string | SequenceParts, seqTime?: number | null): string;
}

const POW_2_124 = 2n ** 124n;
const POW_2_124_NEXT = 2n ** 125n * 16n;
const POW_2_185 = 2n ** 185n;
const POW_2_185_NEXT = (2n ** 185n * 3n) / 2n;
const DECIMAL = /^\d+$/;

/** kinesalite's parseSequence for version-2 sequence numbers (all it creates); undefined: use the original. */
export function parseSequenceFast(seq: unknown): SequenceParts | undefined {
  if (typeof seq !== 'string' || !DECIMAL.test(seq)) return undefined;
  let n = BigInt(seq);
  if (n < POW_2_124) n += POW_2_124;
  if (n < POW_2_124_NEXT || !(n > POW_2_185 && n < POW_2_185_NEXT)) return undefined;
  const hex = n.toString(16);
  if (hex.at(-1) !== '2') return undefined;
  const seqIxHex = hex.slice(11, 27);
  const shardIxHex = hex.slice(38, 46);
  const shardCreateSecs = Number.parseInt(hex.slice(1, 10), 16);
  // The original throws for these (index or date too high) and negative shard indexes: let it.
  if (Number.parseInt(seqIxHex[0] ?? '0', 16) > 7 || Number.parseInt(shardIxHex[0] ?? '0', 16) > 7)
    return undefined;
  if (shardCreateSecs >= 16025175000) return undefined;
  return {
    shardCreateTime: shardCreateSecs * 1000,
    seqIx: BigInt(`0x${seqIxHex}`).toString(),
    byte1: hex.slice(27, 29),
    seqTime: Number.parseInt(hex.slice(29, 38), 16) * 1000,
    shardIx: Number.parseInt(shardIxHex, 16),
    version: 2,
  };
}

/** kinesalite's stringifySequence for version 2 (the default); undefined: use the original. */
export function stringifySequenceFast(obj: SequenceParts): string | undefined {
  if (!(obj.version == null || obj.version === 2)) return undefined;
  const shardIx = obj.shardIx || 0;
  const seqIx = obj.seqIx || 0;
  if (!Number.isInteger(shardIx) || shardIx < 0) return undefined;
  if (!(typeof seqIx === 'number' ? Number.isSafeInteger(seqIx) && seqIx >= 0 : DECIMAL.test(seqIx)))
    return undefined;
  const hex = [
    '2',
    `00000000${Math.floor(obj.shardCreateTime / 1000).toString(16)}`.slice(-9),
    shardIx.toString(16).slice(-1),
    `0000000000000000${BigInt(seqIx).toString(16)}`.slice(-16),
    obj.byte1 || '00',
    `00000000${Math.floor((obj.seqTime || obj.shardCreateTime) / 1000).toString(16)}`.slice(-9),
    `0000000${shardIx.toString(16)}`.slice(-8),
    '2',
  ].join('');
  if (!/^[0-9a-f]+$/.test(hex)) return undefined;
  return BigInt(`0x${hex}`).toString();
}

/** Puts the fast conversions into kinesalite's db module (once per process), before kinesalite serves. */
export function speedUpKinesaliteSequences(db: KinesaliteDb = loadKinesaliteDb()): void {
  const marked = db as KinesaliteDb & { __fanoutFast?: true };
  if (marked.__fanoutFast) return;
  const parse = db.parseSequence.bind(db);
  const stringify = db.stringifySequence.bind(db);
  db.parseSequence = (seq) => parseSequenceFast(seq) ?? parse(seq);
  db.stringifySequence = (parts) => stringifySequenceFast(parts) ?? stringify(parts);
  // The original calls its own module-local functions; the same steps through the fast ones.
  db.incrementSequence = (seq, seqTime) => {
    const parts = typeof seq === 'string' ? db.parseSequence(seq) : seq;
    const next: SequenceParts = {
      shardCreateTime: parts.shardCreateTime,
      seqTime: seqTime || (parts.seqTime ?? Number.NaN) + 1000,
    };
    if (parts.seqIx !== undefined) next.seqIx = parts.seqIx;
    if (parts.shardIx !== undefined) next.shardIx = parts.shardIx;
    return db.stringifySequence(next);
  };
  marked.__fanoutFast = true;
}

export function loadKinesaliteDb(): KinesaliteDb {
  return createRequire(import.meta.url)('kinesalite/db/index.js') as KinesaliteDb;
}
