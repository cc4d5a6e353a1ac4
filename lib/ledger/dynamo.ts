import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LedgerContentionError } from './errors.js';
import { ledgerKey, pageSortKey } from './item.js';
import { addLease, type Classification, classify, covers, dropFromLease, emptyPage } from './page.js';
import { PageTable, type Seen } from './page-table.js';
import { PageWriter } from './page-writer.js';
import { type Position, positionKey, sortKey } from './position.js';
import type { PositionSet } from './position-set.js';
import type { IdempotencyLedger, LedgerLease, LedgerScope, LedgerStats } from './types.js';

/**
 * Size past which the open page is closed and a new one opened above it. A write is billed by the size of the
 * whole item, in 1 KB units, so a page kept under ~1 KB makes each write of it one unit.
 */
export const PAGE_CLOSE_BYTES = 900;
/** Page writers (and the pages they last wrote) a container keeps. */
const MAX_WRITERS = 256;

export interface DynamoLedgerOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Seconds a page is kept after its last write (DynamoDB TTL); longer than the stream's retention. */
  ttlSeconds: number;
  now?: () => number;
  /** Attempts of one page write against conflicting writers and transient errors, before giving up. */
  maxAttempts?: number;
  pageCloseBytes?: number;
}

/**
 * The idempotency ledger on DynamoDB (the design and its cost: docs/idempotency.md): which positions of a shard
 * were delivered to a scope, and which invocations hold now, in pages (page-table.ts). Leases and releases change
 * a page as a whole, by optimistic writes (contention costs retries, never correctness, and every round lets one
 * writer through); settles add to it without a condition, so no writer can refuse a delivery's record.
 */
export class DynamoLedger implements IdempotencyLedger {
  readonly #table: PageTable;
  readonly #maxAttempts: number;
  readonly #writers = new Map<string, PageWriter>();
  readonly #settlers = new Map<string, PageWriter>();
  /** The newest version of each page this container has read or written. */
  readonly #seen = new Map<string, Seen>();

  constructor(options: DynamoLedgerOptions) {
    const { now = Date.now, maxAttempts = 30, pageCloseBytes = PAGE_CLOSE_BYTES, ...rest } = options;
    this.#table = new PageTable({ ...rest, now, maxAttempts, pageCloseBytes });
    this.#maxAttempts = maxAttempts;
  }

  get stats(): LedgerStats {
    return this.#table.stats;
  }

  async lease(scope: LedgerScope, positions: readonly Position[], leaseUntil: number): Promise<LedgerLease> {
    const pk = ledgerKey(scope);
    const owner = randomBytes(6).toString('base64url');
    const result = { leased: [] as Position[], delivered: [] as Position[], busy: [] as Position[] };
    /** The page each leased position was leased in: it stays there (a page's range only ever shrinks above). */
    const pageOfPosition = new Map<string, string>();
    let pending = unique(positions);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= this.#maxAttempts) throw new LedgerContentionError(this.#table.tableName, pk, round);
      const found = await this.#pagesFor(pk, pending);
      const moved: Position[] = [];
      await Promise.all(
        [...found].map(async ([sk, { seen, positions: mine }]) => {
          let outcome = 'moved' as Classification | 'moved';
          await this.#writerOf(pk, sk, seen).submit((page, now) => {
            if (mine.some((p) => !covers(page, sortKey(p)))) {
              outcome = 'moved';
              return;
            }
            const c = classify(page, mine, owner, now);
            if (c.free.length > 0) addLease(page, owner, c.free, leaseUntil);
            outcome = c;
          });
          const c: Classification | 'moved' = outcome;
          if (c === 'moved') {
            moved.push(...mine);
            return;
          }
          result.leased.push(...c.free);
          result.delivered.push(...c.delivered);
          result.busy.push(...c.busy);
          for (const p of c.free) pageOfPosition.set(positionKey(p), sk);
        }),
      );
      pending = moved;
    }
    /** Leased positions not settled yet, by key: what a release gives up. */
    const unsettled = new Map(result.leased.map((p) => [positionKey(p), p]));
    return {
      owner,
      ...result,
      settle: async (done) => {
        await this.#settle(pk, pageOfPosition, done);
        for (const p of done) unsettled.delete(positionKey(p));
      },
      release: () => {
        const pages = new Set([...unsettled.keys()].map((key) => pageOfPosition.get(key) as string));
        return Promise.all(
          [...pages].map((sk) => this.#writerOf(pk, sk).submit((page) => dropFromLease(page, owner))),
        ).then(() => undefined);
      },
    };
  }

  async delivered(scope: LedgerScope, positions: readonly Position[]): Promise<Position[]> {
    if (positions.length === 0) return [];
    const found = await this.#pagesFor(ledgerKey(scope), unique(positions));
    return [...found.values()].flatMap(({ seen, positions: mine }) =>
      mine.filter((p) => seen.page.delivered.has(p)),
    );
  }

  /**
   * Records `positions` as delivered in the pages they were leased in. A settle is an unconditional `ADD` to the
   * page's settled set (and its version), never a conditional write that another writer can refuse: however many
   * invocations write a page at once, a delivery is recorded in one write, so a hot page cannot starve it into
   * a retry that delivers again. The next whole-page write folds the set into the page and drops the settled
   * positions from the lease (nextVersion). The settles of one container's invocations asked for while one is
   * under way go together in the next, as the page writes do.
   */
  async #settle(
    pk: string,
    pageOfPosition: Map<string, string>,
    positions: readonly Position[],
  ): Promise<void> {
    const bySk = new Map<string, Position[]>();
    for (const p of positions) {
      const sk = pageOfPosition.get(positionKey(p));
      if (sk === undefined) throw new Error(`ledger: position ${positionKey(p)} is not held by this lease`);
      bySk.set(sk, [...(bySk.get(sk) ?? []), p]);
    }
    await Promise.all(
      [...bySk].map(([sk, mine]) => this.#settlerOf(pk, sk).submit((page) => page.delivered.addAll(mine))),
    );
  }

  /** The settle writer of a page: its changes gathered on an empty page, whose delivered set is then added. */
  #settlerOf(pk: string, sk: string): PageWriter {
    const key = `${pk}\u0000${sk}`;
    let settler = this.#settlers.get(key);
    if (!settler) {
      settler = new PageWriter(async (apply) => {
        const gathered = emptyPage('');
        apply(gathered, 0);
        await this.#addSettled(pk, sk, key, gathered.delivered);
      });
      this.#settlers.set(key, settler);
      if (this.#settlers.size > MAX_WRITERS)
        this.#settlers.delete(this.#settlers.keys().next().value as string);
    }
    return settler;
  }

  /** One settle of a page; a page that is gone (deleted by TTL under a lease: not in practice) is written whole. */
  async #addSettled(pk: string, sk: string, key: string, positions: PositionSet): Promise<void> {
    if (positions.isEmpty) return;
    const now = await this.#table.addSettled(pk, sk, positions);
    if (!now) return this.#writerOf(pk, sk).submit((page) => page.delivered.addSet(positions));
    const known = this.#seen.get(key);
    if (!known || now.page.version > known.page.version) this.#seen.set(key, now);
  }

  /**
   * The writer of a page, shared by every lease of this container (a queue's batch runs its envelopes at once,
   * all on the same shard's page): changes asked for while one write of the page is under way go together in
   * the next (see {@link PageWriter}), so concurrent leases and settles of one container neither race each other
   * for the page's version nor pay a write each. `seen`: the page as just read; the writer keeps the newest
   * version it has seen.
   */
  #writerOf(pk: string, sk: string, seen?: Seen): PageWriter {
    const key = `${pk}\u0000${sk}`;
    const known = this.#seen.get(key);
    if (seen && (!known || seen.page.version > known.page.version)) this.#seen.set(key, seen);
    let writer = this.#writers.get(key);
    if (!writer) {
      writer = new PageWriter(async (apply) => {
        const current = this.#seen.get(key) ?? {
          page: emptyPage(sk.slice(pageSortKey('').length)),
          bytes: 0,
        };
        this.#seen.set(key, await this.#table.write(pk, current, apply));
      });
      this.#writers.set(key, writer);
      // A container touches a few pages at a time; forget the oldest beyond that (an idle writer holds nothing).
      if (this.#writers.size > MAX_WRITERS) {
        const oldest = this.#writers.keys().next().value as string;
        this.#writers.delete(oldest);
        this.#seen.delete(oldest);
      }
    }
    return writer;
  }

  /**
   * Reads the pages that cover `positions` (a Query from the highest position down to the page of the lowest) and
   * says which positions each holds. A page that is missing (never written, or deleted by TTL) is an empty page
   * starting where the page below it ends.
   */
  async #pagesFor(
    pk: string,
    positions: Position[],
  ): Promise<Map<string, { seen: Seen; positions: Position[] }>> {
    const keyed = positions.map((p) => ({ p, key: sortKey(p) })).sort((a, b) => (a.key < b.key ? -1 : 1));
    const lowest = keyed[0]?.key ?? '';
    const highest = keyed[keyed.length - 1]?.key ?? '';
    const pages = await this.#table.pagesBetween(pk, lowest, highest);

    const out = new Map<string, { seen: Seen; positions: Position[] }>();
    // Pages come highest first; each position goes to the page with the greatest start at or below it.
    for (const { p, key } of keyed) {
      const index = pages.findIndex((s) => s.page.start <= key);
      const below = pages[index];
      let seen: Seen;
      if (below && covers(below.page, key)) seen = below;
      else {
        // The page is missing (deleted by TTL): an empty one in its place, up to the next page above, if any.
        const above = index > 0 ? pages[index - 1] : index === -1 ? pages[pages.length - 1] : undefined;
        const page = emptyPage(below?.page.end ?? '');
        if (above && above.page.start > page.start) page.end = above.page.start;
        seen = { page, bytes: 0 };
      }
      const sk = pageSortKey(seen.page.start);
      const entry = out.get(sk);
      if (entry) entry.positions.push(p);
      else out.set(sk, { seen, positions: [p] });
    }
    return out;
  }
}

function unique(positions: readonly Position[]): Position[] {
  const seen = new Map<string, Position>();
  for (const p of positions) seen.set(positionKey(p), p);
  return [...seen.values()];
}
