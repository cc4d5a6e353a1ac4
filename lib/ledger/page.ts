import type { Position } from './position.js';
import { PositionSet } from './position-set.js';

/** An invocation's lease on positions it is delivering, `until` epoch ms (the end of the invocation). */
export interface Lease {
  until: number;
  held: PositionSet;
}

/**
 * One page of a (target, shard) ledger: the positions from `start` (a sort key, '' for the first page) up to
 * `end` (exclusive; none for the open page, which takes every later position), what of them was delivered, and
 * the live leases on them. Pages are small (a few hundred bytes to ~1 KB, see PAGE_CLOSE_BYTES) because DynamoDB
 * bills a write by the size of the whole item; the open page is closed, and a new one opened above it, once it
 * grows past that.
 */
export interface LedgerPage {
  start: string;
  end?: string | undefined;
  /** Optimistic-concurrency version: every write is conditional on the version it read. 0: not stored yet. */
  version: number;
  delivered: PositionSet;
  leases: Map<string, Lease>;
}

export function emptyPage(start: string): LedgerPage {
  return { start, version: 0, delivered: new PositionSet(), leases: new Map() };
}

/** Where each position asked for stands. */
export interface Classification {
  delivered: Position[];
  /** Held by another invocation whose lease has not ended. */
  busy: Position[];
  free: Position[];
}

/** Sorts positions by what the page says of them at `now`. */
export function classify(
  page: LedgerPage,
  positions: readonly Position[],
  owner: string,
  now: number,
): Classification {
  const out: Classification = { delivered: [], busy: [], free: [] };
  const others = [...page.leases].filter(([o, l]) => o !== owner && l.until >= now).map(([, l]) => l.held);
  for (const p of positions) {
    if (page.delivered.has(p)) out.delivered.push(p);
    else if (others.some((held) => held.has(p))) out.busy.push(p);
    else out.free.push(p);
  }
  return out;
}

/**
 * A copy of the page, the next version, compacted: without leases that ended before `now` (their owners are gone),
 * and without what was delivered in the leases that remain (a settle records deliveries without touching its
 * lease, see dynamo.ts; a lease that holds nothing else is gone).
 */
export function nextVersion(page: LedgerPage, now: number): LedgerPage {
  const next = clonePage(page);
  for (const [owner, lease] of next.leases) {
    lease.held.deleteSet(next.delivered);
    if (lease.until < now || lease.held.isEmpty) next.leases.delete(owner);
  }
  return { ...next, version: page.version + 1 };
}

/** A copy of the page that can be changed without changing it. */
export function clonePage(page: LedgerPage): LedgerPage {
  const leases = new Map<string, Lease>();
  for (const [owner, lease] of page.leases) leases.set(owner, { until: lease.until, held: copy(lease.held) });
  return { ...page, delivered: copy(page.delivered), leases };
}

/** Adds `positions` to `owner`'s lease (creating it), `until` epoch ms at least. */
export function addLease(
  page: LedgerPage,
  owner: string,
  positions: readonly Position[],
  until: number,
): void {
  const lease = page.leases.get(owner) ?? { until, held: new PositionSet() };
  lease.until = Math.max(lease.until, until);
  lease.held.addAll(positions);
  page.leases.set(owner, lease);
}

/** Records `positions` as delivered and takes them out of `owner`'s lease (ending it once it holds nothing). */
export function markDelivered(page: LedgerPage, owner: string, positions: readonly Position[]): void {
  page.delivered.addAll(positions);
  dropFromLease(page, owner, positions);
}

/** Takes `positions` (all of them when undefined) out of `owner`'s lease. */
export function dropFromLease(page: LedgerPage, owner: string, positions?: readonly Position[]): void {
  const lease = page.leases.get(owner);
  if (!lease) return;
  if (positions) lease.held.deleteAll(positions);
  if (!positions || lease.held.isEmpty) page.leases.delete(owner);
}

/** Whether `key` (a position's sort key) belongs to this page. */
export function covers(page: LedgerPage, key: string): boolean {
  return key >= page.start && (page.end === undefined || key < page.end);
}

function copy(set: PositionSet): PositionSet {
  const out = new PositionSet();
  out.addSet(set);
  return out;
}
