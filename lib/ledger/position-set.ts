import { type Ordinal, ordinalOf, type Position, positionOf, sortKey } from './position.js';

/** Inclusive range of ordinals. */
type Range = readonly [lo: bigint, hi: bigint];

/**
 * An exact set of positions, stored as sorted, disjoint, non-adjacent ranges of ordinals per group (see
 * {@link Ordinal}). A shard's consecutive records make one range however many they are, and a range always means
 * "these positions and no other": a record left out of a set (filtered out for a target, sent to a DLQ, held by
 * another invocation) is a gap between two ranges, never inside one.
 *
 * Text form (what the ledger stores): `group:token,token;group:...` where a token is `gap` or `gap+length` in base
 * 36: `gap` is the range's first ordinal less the previous range's last (the first range: its first ordinal), and
 * `length` its last less its first. A run of records costs a few bytes, and so does a sparse set whose records are a
 * few apart (a parallelized shard's or a message group's share of the records).
 */
export class PositionSet {
  readonly #groups = new Map<string, Range[]>();

  static of(positions: Iterable<Position>): PositionSet {
    const set = new PositionSet();
    set.addAll(positions);
    return set;
  }

  get isEmpty(): boolean {
    return this.#groups.size === 0;
  }

  /** Number of positions in the set. */
  get size(): number {
    let total = 0n;
    for (const ranges of this.#groups.values()) for (const [lo, hi] of ranges) total += hi - lo + 1n;
    return Number(total);
  }

  has(position: Position): boolean {
    const { group, n } = ordinalOf(position);
    const ranges = this.#groups.get(group);
    if (!ranges) return false;
    let low = 0;
    let high = ranges.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const [lo, hi] = ranges[mid] as Range;
      if (n < lo) high = mid - 1;
      else if (n > hi) low = mid + 1;
      else return true;
    }
    return false;
  }

  addAll(positions: Iterable<Position>): void {
    for (const [group, ranges] of rangesByGroup(positions)) this.#merge(group, ranges, union);
  }

  deleteAll(positions: Iterable<Position>): void {
    for (const [group, ranges] of rangesByGroup(positions)) this.#merge(group, ranges, subtract);
  }

  /** Adds every position of `other`. */
  addSet(other: PositionSet): void {
    for (const [group, ranges] of other.#groups) this.#merge(group, ranges, union);
  }

  /** Removes every position of `other`. */
  deleteSet(other: PositionSet): void {
    for (const [group, ranges] of other.#groups)
      if (this.#groups.has(group)) this.#merge(group, ranges, subtract);
  }

  /** The last position in shard order, or undefined for an empty set. */
  max(): Position | undefined {
    let best: { position: Position; key: string } | undefined;
    for (const [group, ranges] of this.#groups) {
      const last = ranges[ranges.length - 1];
      if (!last) continue;
      const position = positionOf({ group, n: last[1] });
      const key = sortKey(position);
      if (!best || key > best.key) best = { position, key };
    }
    return best?.position;
  }

  encode(): string {
    const parts: string[] = [];
    for (const [group, ranges] of [...this.#groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      let previous = 0n;
      const tokens = ranges.map(([lo, hi]) => {
        const gap = (lo - previous).toString(36);
        previous = hi;
        return hi === lo ? gap : `${gap}+${(hi - lo).toString(36)}`;
      });
      parts.push(`${group}:${tokens.join(',')}`);
    }
    return parts.join(';');
  }

  /** Reads {@link encode}'s form; throws on anything else (a damaged item must not read as "nothing delivered"). */
  static decode(text: string): PositionSet {
    const set = new PositionSet();
    if (text === '') return set;
    for (const part of text.split(';')) {
      const colon = part.lastIndexOf(':');
      const group = part.slice(0, colon);
      if (colon <= 0 || !/^[svnr]/.test(group))
        throw new Error(`ledger position set: bad group in "${part}"`);
      const ranges: Range[] = [];
      let previous = 0n;
      for (const token of part.slice(colon + 1).split(',')) {
        const [gap, length = '0'] = token.split('+');
        if (!gap || !/^[0-9a-z]+$/.test(gap) || !/^[0-9a-z]+$/.test(length))
          throw new Error(`ledger position set: bad range "${token}" in group ${group}`);
        const lo = previous + parseBase36(gap);
        const hi = lo + parseBase36(length);
        ranges.push([lo, hi]);
        previous = hi;
      }
      set.#merge(group, ranges, union);
    }
    return set;
  }

  #merge(
    group: string,
    ranges: readonly Range[],
    op: (a: readonly Range[], b: readonly Range[]) => Range[],
  ): void {
    const result = op(this.#groups.get(group) ?? [], ranges);
    if (result.length > 0) this.#groups.set(group, result);
    else this.#groups.delete(group);
  }
}

function parseBase36(text: string): bigint {
  let value = 0n;
  for (const char of text) value = value * 36n + BigInt(Number.parseInt(char, 36));
  return value;
}

/** Sorted, merged ranges of each group's ordinals. */
function rangesByGroup(positions: Iterable<Position>): Map<string, Range[]> {
  const ordinals = new Map<string, bigint[]>();
  for (const position of positions) {
    const { group, n } = ordinalOf(position);
    const list = ordinals.get(group);
    if (list) list.push(n);
    else ordinals.set(group, [n]);
  }
  const out = new Map<string, Range[]>();
  for (const [group, list] of ordinals) {
    list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const ranges: Array<[bigint, bigint]> = [];
    for (const n of list) {
      const last = ranges[ranges.length - 1];
      if (last && n <= last[1] + 1n) {
        if (n > last[1]) last[1] = n;
      } else ranges.push([n, n]);
    }
    out.set(group, ranges);
  }
  return out;
}

/** Union of two sorted, disjoint range lists, merged where they touch. */
function union(a: readonly Range[], b: readonly Range[]): Range[] {
  const all = [...a, ...b].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const [lo, hi] of all) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

/** `a` without `b`. */
function subtract(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  let j = 0;
  for (const [lo0, hi] of a) {
    let lo = lo0;
    while (j < b.length && (b[j] as Range)[1] < lo) j++;
    let k = j;
    while (lo <= hi) {
      const cut = b[k];
      if (!cut || cut[0] > hi) {
        out.push([lo, hi]);
        break;
      }
      if (cut[0] > lo) out.push([lo, cut[0] - 1n]);
      lo = cut[1] + 1n;
      k++;
    }
  }
  return out;
}

export type { Ordinal };
