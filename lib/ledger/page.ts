import type { Position } from './position.js';
import { PositionSet } from './position-set.js';

/** An invocation's hold on positions it is delivering, until `lease` (epoch ms; the end of the invocation). */
export interface Claim {
  lease: number;
  held: PositionSet;
}

/**
 * One page of a (target, shard) ledger: the positions from `start` (a sort key, '' for the first page) up to
 * `end` (exclusive; none for the open page, which takes every later position), what of them was delivered, and
 * the live claims on them. Pages are small (a few hundred bytes to ~1 KB, see PAGE_CLOSE_BYTES) because DynamoDB
 * bills a write by the size of the whole item; the open page is closed, and a new one opened above it, once it
 * grows past that.
 */
export interface LedgerPage {
  start: string;
  end?: string | undefined;
  /** Optimistic-concurrency version: every write is conditional on the version it read. 0: not stored yet. */
  version: number;
  delivered: PositionSet;
  claims: Map<string, Claim>;
}

export function emptyPage(start: string): LedgerPage {
  return { start, version: 0, delivered: new PositionSet(), claims: new Map() };
}

/** Where each position of a claim stands. */
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
  const others = [...page.claims].filter(([o, c]) => o !== owner && c.lease >= now).map(([, c]) => c.held);
  for (const p of positions) {
    if (page.delivered.has(p)) out.delivered.push(p);
    else if (others.some((held) => held.has(p))) out.busy.push(p);
    else out.free.push(p);
  }
  return out;
}

/** A copy of the page, the next version, without claims whose lease ended before `now` (their owners are gone). */
export function nextVersion(page: LedgerPage, now: number): LedgerPage {
  const next = clonePage(page);
  for (const [owner, claim] of next.claims) if (claim.lease < now) next.claims.delete(owner);
  return { ...next, version: page.version + 1 };
}

/** A copy of the page that can be changed without changing it. */
export function clonePage(page: LedgerPage): LedgerPage {
  const claims = new Map<string, Claim>();
  for (const [owner, claim] of page.claims) claims.set(owner, { lease: claim.lease, held: copy(claim.held) });
  return { ...page, delivered: copy(page.delivered), claims };
}

/** Adds `positions` to `owner`'s claim (creating it), until `lease`. */
export function addClaim(
  page: LedgerPage,
  owner: string,
  positions: readonly Position[],
  lease: number,
): void {
  const claim = page.claims.get(owner) ?? { lease, held: new PositionSet() };
  claim.lease = Math.max(claim.lease, lease);
  claim.held.addAll(positions);
  page.claims.set(owner, claim);
}

/** Records `positions` as delivered and takes them out of `owner`'s claim (ending it once it holds nothing). */
export function markDelivered(page: LedgerPage, owner: string, positions: readonly Position[]): void {
  page.delivered.addAll(positions);
  dropFromClaim(page, owner, positions);
}

/** Takes `positions` (all of them when undefined) out of `owner`'s claim. */
export function dropFromClaim(page: LedgerPage, owner: string, positions?: readonly Position[]): void {
  const claim = page.claims.get(owner);
  if (!claim) return;
  if (positions) claim.held.deleteAll(positions);
  if (!positions || claim.held.isEmpty) page.claims.delete(owner);
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
