import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type CancellationReason,
  type DynamoDBClient,
  type KeysAndAttributes,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { backoffDelay, classifyError, sleep } from '../aws/retry.js';

/**
 * Remembers which idempotency keys were delivered, and lets one invocation at a time deliver a key. Batched on
 * purpose: a conditional write per record per call (Powertools' per-record model) would cost 10,000 calls/s for
 * one shard fanned out to 10 targets. Here a worker claims an envelope's keys with one TransactWriteItems call
 * per 100 keys (conditional puts: all or nothing, and a refusal names each refused key with its item), and
 * writes the delivered ones in BatchWriteItem calls of 25, right after each destination call (the
 * deliver-then-die window is one call).
 *
 * The claim is what makes overlapping envelopes safe: after a dispatcher retry, a bisected batch or a replay,
 * two envelopes with different records can hold the same record, and run at once. Only one of them can hold
 * its claim; the other reports it busy (retried later, when it is delivered and skipped) instead of
 * delivering it too.
 */
export interface DeliveredKeyStore {
  /** The keys among `keys` that were already delivered (a read: replay tooling and audits). */
  filterDelivered(keys: readonly string[]): Promise<Set<string>>;
  /**
   * Claims the keys not delivered yet and not claimed by a live invocation, until `leaseUntil` (epoch ms: the
   * end of the claiming invocation; a claim left by a crash is free again after it).
   */
  claim(keys: readonly string[], leaseUntil: number): Promise<ClaimOutcome>;
  /** Records `keys` as delivered (and so ends their claims). */
  markDelivered(keys: readonly string[]): Promise<void>;
  /**
   * Gives up `owner`'s claims on keys it did not deliver, so their retry need not wait for the lease to end; a
   * key no longer claimed by `owner` (its lease ended and another invocation took it) is left alone.
   */
  release(keys: readonly string[], owner: string): Promise<void>;
  /** Operations so far: calls and items, for the cost metrics. */
  readonly stats: StoreStats;
}

export interface ClaimOutcome {
  /** Names this claim's items (the invocation holding them), for {@link DeliveredKeyStore.release}. */
  owner: string;
  /** Claimed now by this invocation: deliver them, then mark or release them. */
  claimed: string[];
  /** Delivered before: skip. */
  delivered: string[];
  /** Claimed by another invocation that may still be delivering them: retry later. */
  busy: string[];
}

export interface StoreStats {
  readCalls: number;
  readItems: number;
  writeCalls: number;
  writeItems: number;
  /** TransactWriteItems calls (claims, releases) and the items in them (each is billed as two writes). */
  claimCalls: number;
  claimItems: number;
}

const newStats = (): StoreStats => ({
  readCalls: 0,
  readItems: 0,
  writeCalls: 0,
  writeItems: 0,
  claimCalls: 0,
  claimItems: 0,
});

/** For `idempotency: native | none`: no store operations at all; every key is claimed. */
export function noKeyStore(): DeliveredKeyStore {
  return {
    filterDelivered: async () => new Set(),
    claim: async (keys) => ({ owner: 'none', claimed: [...new Set(keys)], delivered: [], busy: [] }),
    markDelivered: async () => {},
    release: async () => {},
    stats: newStats(),
  };
}

/** Status of a key's item: claimed by an invocation that is delivering it, or delivered. */
export const KEY_STATUS = { inProgress: 'IN_PROGRESS', completed: 'COMPLETED' } as const;
/** Cancellation reasons that say "try this item again" rather than "this item is taken". */
const TRANSIENT_REASONS = new Set([
  'None',
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

export interface DynamoKeyStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Seconds a key is remembered (TTL attribute `expiration`, the attribute Powertools uses too). */
  ttlSeconds: number;
  now?: () => number;
  /** Attempts for unprocessed keys/items before giving up with an error. */
  maxAttempts?: number;
}

/** Item key of a delivered record; the prefix keeps it apart from Powertools' own envelope-lock items. */
export const deliveredItemId = (key: string): string => `delivered#${key}`;

export class DynamoKeyStore implements DeliveredKeyStore {
  readonly stats = newStats();
  readonly #o: Required<Omit<DynamoKeyStoreOptions, 'now'>> & { now: () => number };

  constructor(options: DynamoKeyStoreOptions) {
    this.#o = { maxAttempts: 8, now: Date.now, ...options };
  }

  async filterDelivered(keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, KeysAndAttributes> | undefined = {
        [this.#o.tableName]: {
          Keys: unique.slice(i, i + 100).map((k) => ({ id: { S: deliveredItemId(k) } })),
          ProjectionExpression: 'id, #status',
          ExpressionAttributeNames: { '#status': 'status' },
          // A key written by the previous attempt a moment ago must be seen.
          ConsistentRead: true,
        },
      };
      for (let attempt = 0; request; attempt++) {
        if (attempt >= this.#o.maxAttempts)
          throw new Error(
            `BatchGetItem on ${this.#o.tableName}: keys still unprocessed after ${attempt} attempts`,
          );
        if (attempt > 0) await sleep(backoffDelay(attempt, { baseMs: 100 }));
        this.stats.readCalls++;
        const out: BatchGetItemCommandOutput | undefined = await this.#o.client
          .send(new BatchGetItemCommand({ RequestItems: request }))
          .catch((error: unknown) => this.#transient(error, attempt));
        if (!out) continue;
        for (const item of out.Responses?.[this.#o.tableName] ?? []) {
          this.stats.readItems++;
          const id = item.id?.S;
          // A claim (IN_PROGRESS) is not a delivery; items without a status predate claims and are deliveries.
          if (id && item.status?.S !== KEY_STATUS.inProgress) found.add(id.slice('delivered#'.length));
        }
        const next: KeysAndAttributes | undefined = out.UnprocessedKeys?.[this.#o.tableName];
        request = next?.Keys?.length ? { [this.#o.tableName]: { ...next, ConsistentRead: true } } : undefined;
      }
    }
    return found;
  }

  /**
   * A throttled or unreachable table (a restart, a network blip) is retried like unprocessed items: failing the
   * call instead would fail an invocation whose records were already delivered, and its retry would deliver
   * them again. Anything else (access denied, no such table) is thrown at once.
   */
  #transient(error: unknown, attempt: number): undefined {
    if (!classifyError(error).retryable || attempt + 1 >= this.#o.maxAttempts) throw error;
    return undefined;
  }

  async markDelivered(keys: readonly string[]): Promise<void> {
    const expiration = String(Math.floor(this.#o.now() / 1000) + this.#o.ttlSeconds);
    await this.#batchWrite(
      [...new Set(keys)].map((k) => ({
        PutRequest: {
          Item: {
            id: { S: deliveredItemId(k) },
            expiration: { N: expiration },
            status: { S: KEY_STATUS.completed },
          },
        },
      })),
    );
  }

  async release(keys: readonly string[], owner: string): Promise<void> {
    // Conditional: only a claim this invocation still holds. Had its lease ended (a stalled process), another
    // invocation may hold the key now, or have delivered it; deleting that would let a third deliver it again.
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 100) {
      await this.#transactRounds(
        unique.slice(i, i + 100),
        (k) => ({
          Delete: {
            TableName: this.#o.tableName,
            Key: { id: { S: deliveredItemId(k) } },
            ConditionExpression: '#status = :claimed AND #owner = :me',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: { ':claimed': { S: KEY_STATUS.inProgress }, ':me': { S: owner } },
          },
        }),
        () => {},
      );
    }
  }

  async claim(keys: readonly string[], leaseUntil: number): Promise<ClaimOutcome> {
    const owner = randomUUID();
    const outcome: ClaimOutcome = { owner, claimed: [], delivered: [], busy: [] };
    const expiration = String(Math.floor(this.#o.now() / 1000) + this.#o.ttlSeconds);
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 100) {
      const now = String(this.#o.now());
      const claimed = await this.#transactRounds(
        unique.slice(i, i + 100),
        (k) => ({
          Put: {
            TableName: this.#o.tableName,
            Item: {
              id: { S: deliveredItemId(k) },
              status: { S: KEY_STATUS.inProgress },
              owner: { S: owner },
              lease: { N: String(leaseUntil) },
              expiration: { N: expiration },
            },
            ConditionExpression: 'attribute_not_exists(id) OR (#status = :claimed AND #lease < :now)',
            ExpressionAttributeNames: { '#status': 'status', '#lease': 'lease' },
            ExpressionAttributeValues: { ':claimed': { S: KEY_STATUS.inProgress }, ':now': { N: now } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        }),
        (key, item) =>
          (item?.status?.S === KEY_STATUS.inProgress ? outcome.busy : outcome.delivered).push(key),
      );
      outcome.claimed.push(...claimed);
    }
    return outcome;
  }

  /**
   * Writes one item per key (at most 100) in one transaction, conditions and all. If any condition fails,
   * nothing is written and the reasons say which: `refused` gets those keys (with the item, when asked for
   * with ALL_OLD), and the others go again in the next round. Returns the keys written.
   */
  async #transactRounds(
    keys: string[],
    itemFor: (key: string) => TransactWriteItem,
    refused: (key: string, item: Record<string, AttributeValue> | undefined) => void,
  ): Promise<string[]> {
    let pending = keys;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= this.#o.maxAttempts)
        throw new Error(
          `TransactWriteItems on ${this.#o.tableName}: ${pending.length} keys still not written after ${attempt} attempts`,
        );
      this.stats.claimCalls++;
      this.stats.claimItems += pending.length;
      const request = pending;
      const reasons = await this.#o.client
        .send(new TransactWriteItemsCommand({ TransactItems: request.map(itemFor) }))
        .then(
          () => undefined,
          (error: unknown): CancellationReason[] | null => {
            if (
              error instanceof TransactionCanceledException &&
              error.CancellationReasons?.length === request.length
            )
              return error.CancellationReasons;
            // Throttled or unreachable: the whole request again (nothing was written).
            this.#transient(error, attempt);
            return null;
          },
        );
      if (reasons === undefined) return request;
      pending = [];
      let again = false;
      (reasons ?? request.map((): CancellationReason => ({ Code: 'TransactionConflict' }))).forEach(
        (reason, j) => {
          const key = request[j] as string;
          if (reason.Code === 'ConditionalCheckFailed') refused(key, reason.Item);
          else if (TRANSIENT_REASONS.has(reason.Code ?? '')) {
            pending.push(key);
            if (reason.Code !== 'None') again = true;
          } else {
            throw new Error(
              `TransactWriteItems on ${this.#o.tableName}: key ${key} refused (${reason.Code}: ${reason.Message ?? 'no message'})`,
            );
          }
        },
      );
      // Only refusals: the rest may go at once. A conflict or throttle: back off first.
      if (again && pending.length > 0) await sleep(backoffDelay(attempt + 1, { baseMs: 50 }));
    }
    return [];
  }

  /**
   * BatchWriteItem in calls of 25, sent together (one round trip for a 100-record call's keys, not four),
   * each retrying its unprocessed items and transient errors.
   */
  async #batchWrite(requests: WriteRequest[]): Promise<void> {
    const chunks: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
    await Promise.all(chunks.map((chunk) => this.#batchWriteChunk(chunk)));
  }

  async #batchWriteChunk(chunk: WriteRequest[]): Promise<void> {
    let writes = chunk;
    for (let attempt = 0; writes.length > 0; attempt++) {
      if (attempt >= this.#o.maxAttempts)
        throw new Error(
          `BatchWriteItem on ${this.#o.tableName}: items still unprocessed after ${attempt} attempts`,
        );
      if (attempt > 0) await sleep(backoffDelay(attempt, { baseMs: 100 }));
      this.stats.writeCalls++;
      this.stats.writeItems += writes.length;
      const out = await this.#o.client
        .send(new BatchWriteItemCommand({ RequestItems: { [this.#o.tableName]: writes } }))
        .catch((error: unknown) => this.#transient(error, attempt));
      if (!out) {
        this.stats.writeItems -= writes.length;
        continue;
      }
      writes = out.UnprocessedItems?.[this.#o.tableName] ?? [];
      this.stats.writeItems -= writes.length;
    }
  }
}
