import { randomBytes } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { backoffDelay, classifyError, sleep } from '../aws/retry.js';
import { LedgerContentionError } from './errors.js';
import { type Item, itemBytes, ledgerKey, pageItem, pageOf, pageSortKey, SETTLED_ATTRIBUTE } from './item.js';
import {
  addLease,
  type Classification,
  classify,
  clonePage,
  covers,
  dropFromLease,
  emptyPage,
  type LedgerPage,
  nextVersion,
} from './page.js';
import { PageWriter } from './page-writer.js';
import { type Position, positionKey, sortKey } from './position.js';
import type { PositionSet } from './position-set.js';
import {
  type IdempotencyLedger,
  type LedgerLease,
  type LedgerScope,
  type LedgerStats,
  newLedgerStats,
} from './types.js';

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

/** A page as this invocation last saw it, and what that cost to hold: its item's size. */
interface Seen {
  page: LedgerPage;
  bytes: number;
}

/**
 * The idempotency ledger on DynamoDB (the design and its cost: docs/idempotency.md). Every write of a page is a
 * PutItem of the whole page conditional on the version it read; a refused write returns the page as it is now
 * (ReturnValuesOnConditionCheckFailure: ALL_OLD, not billed as a read), and the change is made again on it. Only
 * an invocation whose pages another one wrote in between pays a second write, so contention costs retries, never
 * correctness, and every round lets one writer through (no livelock).
 */
export class DynamoLedger implements IdempotencyLedger {
  readonly stats: LedgerStats = newLedgerStats();
  readonly #o: Required<Omit<DynamoLedgerOptions, 'now'>> & { now: () => number };
  readonly #writers = new Map<string, PageWriter>();
  readonly #settlers = new Map<string, PageWriter>();
  /** The newest version of each page this container has read or written. */
  readonly #seen = new Map<string, Seen>();

  constructor(options: DynamoLedgerOptions) {
    this.#o = { maxAttempts: 30, now: Date.now, pageCloseBytes: PAGE_CLOSE_BYTES, ...options };
  }

  async lease(scope: LedgerScope, positions: readonly Position[], leaseUntil: number): Promise<LedgerLease> {
    const pk = ledgerKey(scope);
    const owner = randomBytes(6).toString('base64url');
    const result = { leased: [] as Position[], delivered: [] as Position[], busy: [] as Position[] };
    /** The page each leased position was leased in: it stays there (a page's range only ever shrinks above). */
    const pageOfPosition = new Map<string, string>();
    let pending = unique(positions);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= this.#o.maxAttempts) throw new LedgerContentionError(this.#o.tableName, pk, round);
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
        apply(gathered, this.#o.now());
        await this.#addSettled(pk, sk, key, gathered.delivered);
      });
      this.#settlers.set(key, settler);
      if (this.#settlers.size > MAX_WRITERS)
        this.#settlers.delete(this.#settlers.keys().next().value as string);
    }
    return settler;
  }

  /**
   * One settle: `ADD x :positions, v :1` on the page, conditional only on the page existing. A page that is gone
   * (deleted by TTL under a lease longer than its retention: not in practice) is written whole instead.
   */
  async #addSettled(pk: string, sk: string, key: string, positions: PositionSet): Promise<void> {
    if (positions.isEmpty) return;
    const expiration = Math.floor(this.#o.now() / 1000) + this.#o.ttlSeconds;
    const item = await this.#send('UpdateItem', async () => {
      try {
        const out = await this.#o.client.send(
          new UpdateItemCommand({
            TableName: this.#o.tableName,
            Key: { pk: { S: pk }, sk: { S: sk } },
            UpdateExpression: `ADD ${SETTLED_ATTRIBUTE} :settled, v :one SET expiration = :expiration`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: {
              ':settled': { SS: [positions.encode()] },
              ':one': { N: '1' },
              ':expiration': { N: String(expiration) },
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return out.Attributes;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    });
    if (!item) {
      this.stats.writeUnits += 1; // the refused update is billed
      await this.#writerOf(pk, sk).submit((page) => page.delivered.addSet(positions));
      return;
    }
    const bytes = itemBytes(item);
    this.stats.writeUnits += Math.max(1, Math.ceil(bytes / 1024));
    const known = this.#seen.get(key);
    const page = pageOf(item);
    if (!known || page.version > known.page.version) this.#seen.set(key, { page, bytes });
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
        const written = await this.#write(pk, current, apply);
        this.#seen.set(key, written.seen);
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
    const pages: Seen[] = [];
    let startKey: Item | undefined;
    do {
      const out: QueryCommandOutput = await this.#send('Query', () =>
        this.#o.client.send(
          new QueryCommand({
            TableName: this.#o.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
            ExpressionAttributeValues: {
              ':pk': { S: pk },
              ':first': { S: pageSortKey('') },
              ':last': { S: pageSortKey(highest) },
            },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: 8,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      let bytes = 0;
      for (const item of out.Items ?? []) {
        const size = itemBytes(item);
        bytes += size;
        pages.push({ page: pageOf(item), bytes: size });
      }
      this.stats.readUnits += Math.max(1, Math.ceil(bytes / 4096));
      startKey = out.LastEvaluatedKey;
      if (pages.some((s) => s.page.start <= lowest)) break;
    } while (startKey);

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

  /**
   * One change of a page, as a conditional PutItem of its next version; on a refusal (another writer was first),
   * the change is made again on the page as it now is. `change` may answer 'moved' (the page no longer covers the
   * positions: it was closed meanwhile), which ends the attempt without a write.
   */
  async #write(
    pk: string,
    seen: Seen,
    change: (page: LedgerPage, now: number) => void,
  ): Promise<{ seen: Seen }> {
    let current = seen;
    for (let attempt = 0; ; attempt++) {
      if (attempt >= this.#o.maxAttempts) throw new LedgerContentionError(this.#o.tableName, pk, attempt);
      const now = this.#o.now();
      // The page as it stands at `now` (leases that ended are gone), and the change made on a copy of it: a
      // change that alters nothing (every position delivered or busy, nothing left to release) writes nothing.
      const baseline = nextVersion(current.page, now);
      const next = clonePage(baseline);
      change(next, now);
      if (current.page.version > 0 && sameContent(baseline, next)) return { seen: current };
      const item = pageItem(pk, next, Math.floor(now / 1000) + this.#o.ttlSeconds);
      const bytes = itemBytes(item);
      const refused = await this.#send('PutItem', async () => {
        this.stats.writeUnits += Math.max(1, Math.ceil(Math.max(bytes, current.bytes) / 1024));
        try {
          await this.#o.client.send(
            new PutItemCommand({
              TableName: this.#o.tableName,
              Item: item,
              ...(current.page.version > 0
                ? {
                    ConditionExpression: 'v = :v',
                    ExpressionAttributeValues: { ':v': { N: String(current.page.version) } },
                  }
                : { ConditionExpression: 'attribute_not_exists(pk)' }),
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          return undefined;
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) return { item: error.Item };
          throw error;
        }
      });
      if (!refused) {
        const written = { page: next, bytes };
        if (next.end === undefined && bytes > this.#o.pageCloseBytes) await this.#close(pk, written);
        return { seen: written };
      }
      this.stats.conflicts++;
      current = refused.item
        ? { page: pageOf(refused.item), bytes: itemBytes(refused.item) }
        : await this.#get(pk, current.page.start);
      await sleep(Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6)));
    }
  }

  /**
   * Closes the open page just above its highest position and opens the next one there, in one transaction (the
   * close bumps the page's version, so a writer that read it before sees it closed and goes to the new page).
   * Best effort: if another writer changed the page first, a later write closes it.
   */
  async #close(pk: string, open: Seen): Promise<void> {
    const highest = [open.page.delivered.max(), ...[...open.page.leases.values()].map((l) => l.held.max())]
      .filter((p): p is Position => p !== undefined)
      .map(sortKey)
      .sort()
      .pop();
    if (highest === undefined) return;
    const end = `${highest}~`;
    const now = this.#o.now();
    const expiration = Math.floor(now / 1000) + this.#o.ttlSeconds;
    const closed = { ...nextVersion(open.page, now), end };
    const opened: LedgerPage = { ...emptyPage(end), version: 1 };
    const items = [pageItem(pk, closed, expiration), pageItem(pk, opened, expiration)];
    try {
      await this.#send('TransactWriteItems', () => {
        this.stats.writeUnits +=
          2 * items.reduce((units, i) => units + Math.max(1, Math.ceil(itemBytes(i) / 1024)), 0);
        return this.#o.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.#o.tableName,
                  Item: items[0],
                  ConditionExpression: 'v = :v',
                  ExpressionAttributeValues: { ':v': { N: String(open.page.version) } },
                },
              },
              {
                Put: {
                  TableName: this.#o.tableName,
                  Item: items[1],
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
      });
    } catch (error) {
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
    }
  }

  async #get(pk: string, start: string): Promise<Seen> {
    const out = await this.#send('GetItem', () =>
      this.#o.client.send(
        new GetItemCommand({
          TableName: this.#o.tableName,
          Key: { pk: { S: pk }, sk: { S: pageSortKey(start) } },
          ConsistentRead: true,
        }),
      ),
    );
    const bytes = out.Item ? itemBytes(out.Item) : 0;
    this.stats.readUnits += Math.max(1, Math.ceil(bytes / 4096));
    return out.Item ? { page: pageOf(out.Item), bytes } : { page: emptyPage(start), bytes: 0 };
  }

  /**
   * One call, counted, with transient failures (throttling, a restarting table, the network) retried: failing
   * instead would fail an invocation whose records were delivered, and its retry would deliver them again.
   */
  async #send<T>(command: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.stats.calls++;
      this.stats.byCommand[command] = (this.stats.byCommand[command] ?? 0) + 1;
      try {
        return await call();
      } catch (error) {
        if (!classifyError(error).retryable || attempt + 1 >= this.#o.maxAttempts) throw error;
        await sleep(backoffDelay(attempt + 1, { baseMs: 50 }));
      }
    }
  }
}

function unique(positions: readonly Position[]): Position[] {
  const seen = new Map<string, Position>();
  for (const p of positions) seen.set(positionKey(p), p);
  return [...seen.values()];
}

/** Whether a change left the page as it was (then nothing is written). */
function sameContent(a: LedgerPage, b: LedgerPage): boolean {
  const x = pageItem('', a, 0);
  const y = pageItem('', b, 0);
  return x.d?.S === y.d?.S && x.c?.S === y.c?.S && a.end === b.end;
}

export { itemBytes } from './item.js';
export type { Item };
