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
import { type Item, itemBytes, pageItem, pageOf, pageSortKey, SETTLED_ATTRIBUTE } from './item.js';
import { clonePage, emptyPage, type LedgerPage, nextVersion } from './page.js';
import { type Position, sortKey } from './position.js';
import type { PositionSet } from './position-set.js';
import { type LedgerStats, newLedgerStats } from './types.js';

/** A page as an invocation last saw it, and what a write of it is billed by: its item's size. */
export interface Seen {
  page: LedgerPage;
  bytes: number;
}

export interface PageTableOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Seconds a page is kept after its last write (DynamoDB TTL). */
  ttlSeconds: number;
  now: () => number;
  /** Attempts of one page write against conflicting writers, and of one call against transient errors. */
  maxAttempts: number;
  /** Size past which the open page is closed and the next opened above it. */
  pageCloseBytes: number;
}

/**
 * The ledger's pages in DynamoDB, and what reading and writing them costs as DynamoDB bills it. A whole-page write
 * is a PutItem conditional on the version read; a refused one returns the page as it is now
 * (ReturnValuesOnConditionCheckFailure: ALL_OLD, not billed as a read), and the change is made again on it: only
 * a writer whose page another wrote in between pays a second write, and every round lets one writer through.
 */
export class PageTable {
  readonly stats: LedgerStats = newLedgerStats();
  readonly #o: PageTableOptions;

  constructor(options: PageTableOptions) {
    this.#o = options;
  }

  get tableName(): string {
    return this.#o.tableName;
  }

  /**
   * The pages from the one holding `highest` down to the one holding `lowest` (sort keys of positions), highest
   * first: a Query backwards, strongly consistent, 8 pages a round (usually one page is all it reads).
   */
  async pagesBetween(pk: string, lowest: string, highest: string): Promise<Seen[]> {
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
    return pages;
  }

  /**
   * One change of a page, as a conditional PutItem of its next version; on a refusal (another writer was first),
   * the change is made again on the page as it now is. `change` may answer 'moved' (the page no longer covers the
   * positions: it was closed meanwhile), which ends the attempt without a write.
   */
  async write(pk: string, seen: Seen, change: (page: LedgerPage, now: number) => void): Promise<Seen> {
    let current = seen;
    for (let attempt = 0; ; attempt++) {
      if (attempt >= this.#o.maxAttempts) throw new LedgerContentionError(this.#o.tableName, pk, attempt);
      const now = this.#o.now();
      // The page as it stands at `now` (leases that ended are gone), and the change made on a copy of it: a
      // change that alters nothing (every position delivered or busy, nothing left to release) writes nothing.
      const baseline = nextVersion(current.page, now);
      const next = clonePage(baseline);
      change(next, now);
      if (current.page.version > 0 && sameContent(baseline, next)) return current;
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
        return written;
      }
      this.stats.conflicts++;
      current = refused.item
        ? { page: pageOf(refused.item), bytes: itemBytes(refused.item) }
        : await this.#get(pk, current.page.start);
      await sleep(Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6)));
    }
  }

  /**
   * Adds `positions` to the page's settled set (`ADD x :positions, v :1`), conditional only on the page existing:
   * the page as it now is, or undefined if it is gone (deleted by TTL).
   */
  async addSettled(pk: string, sk: string, positions: PositionSet): Promise<Seen | undefined> {
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
      return undefined;
    }
    const bytes = itemBytes(item);
    this.stats.writeUnits += Math.max(1, Math.ceil(bytes / 1024));
    return { page: pageOf(item), bytes };
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

/** Whether a change left the page as it was (then nothing is written). */
function sameContent(a: LedgerPage, b: LedgerPage): boolean {
  const x = pageItem('', a, 0);
  const y = pageItem('', b, 0);
  return x.d?.S === y.d?.S && x.c?.S === y.c?.S && a.end === b.end;
}
