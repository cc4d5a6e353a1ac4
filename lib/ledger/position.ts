/**
 * A record's position in its shard: the Kinesis sequence number, and the sub-sequence number of a KPL user record
 * (its index in the aggregate). A position names one record for good: every retry, bisected batch and replay of it
 * carries the same one, so the ledger keys everything on positions, never on anything an envelope says of itself.
 */
export interface Position {
  seq: string;
  sub?: number | undefined;
}

/**
 * A position as (group, ordinal): every position of a group is `group` plus one integer, and two positions of a
 * group whose ordinals are n and n + 1 are neighbours in the shard's numbering. The ledger stores a set of positions
 * as ranges of ordinals per group, so "ordinals 5 to 900 of group g" stands for exactly those 896 positions, no
 * others: a range is never a guess about what lies between two records.
 *
 * - A KPL user record: group `s<seq>`, ordinal its sub-sequence number.
 * - A Kinesis sequence number of the version-2 layout (what AWS and kinesalite issue: hex digits
 *   `2 | shard creation time | shard | record index (16) | byte | arrival second (9) | shard (8) | 2`): group the
 *   digits around the record index, ordinal the record index, which counts the shard's records. Records of one
 *   second then fall in one group and one range, whatever their number.
 * - Any other decimal: group `n`, ordinal the number itself; anything else (leading zeros): a group of its own.
 */
export interface Ordinal {
  group: string;
  n: bigint;
}

const DECIMAL = /^[1-9]\d{0,128}$|^0$/;
const V2_HEX_DIGITS = 47;

/** The ordinal of a position (see {@link Ordinal}); {@link positionOf} is its inverse. */
export function ordinalOf(position: Position): Ordinal {
  const { seq, sub } = position;
  if (sub !== undefined) return { group: `s${seq}`, n: BigInt(sub) };
  if (!DECIMAL.test(seq)) return { group: `r${seq}`, n: 0n };
  const value = BigInt(seq);
  const hex = value.toString(16);
  if (hex.length === V2_HEX_DIGITS && hex[0] === '2' && hex[46] === '2') {
    return {
      group: `v${hex.slice(0, 11)}.${hex.slice(27, 38)}.${hex.slice(38)}`,
      n: BigInt(`0x${hex.slice(11, 27)}`),
    };
  }
  return { group: 'n', n: value };
}

/** The position of an ordinal: `positionOf(ordinalOf(p))` is `p`. */
export function positionOf(ordinal: Ordinal): Position {
  const { group, n } = ordinal;
  switch (group[0]) {
    case 's':
      return { seq: group.slice(1), sub: Number(n) };
    case 'r':
      return { seq: group.slice(1) };
    case 'v': {
      const [head = '', middle = '', tail = ''] = group.slice(1).split('.');
      return { seq: BigInt(`0x${head}${n.toString(16).padStart(16, '0')}${middle}${tail}`).toString() };
    }
    default:
      return { seq: n.toString() };
  }
}

/** Identity of a position in maps and sets: `<seq>` or `<seq>.<sub>`. */
export function positionKey(position: Position): string {
  return position.sub === undefined ? position.seq : `${position.seq}.${position.sub}`;
}

/**
 * A string that sorts as positions do (sequence numbers by value, then sub-sequence numbers): the length of the
 * sequence number first, so "10" sorts after "9". The ledger's pages are keyed by it.
 */
export function sortKey(position: Position): string {
  const { seq, sub } = position;
  const head = `${String(seq.length).padStart(3, '0')}${seq}`;
  return sub === undefined ? head : `${head}.${String(sub).padStart(7, '0')}`;
}

/** Compares two positions in shard order. */
export function comparePositions(a: Position, b: Position): number {
  const x = sortKey(a);
  const y = sortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
