import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import { backoffDelay, classifyError, sleep } from '../aws/retry.js';

/**
 * Remembers which idempotency keys were delivered. Batched on purpose: one conditional write per record per
 * target (Powertools' per-call model) would cost 10,000 writes/s for one shard fanned out to 10 targets.
 * Here a worker reads an envelope's keys in BatchGetItem calls of 100 and writes the delivered ones in
 * BatchWriteItem calls of 25, right after each destination call (the deliver-then-die window is one call).
 */
export interface DeliveredKeyStore {
  /** The keys among `keys` that were already delivered. */
  filterDelivered(keys: readonly string[]): Promise<Set<string>>;
  /** Records `keys` as delivered. */
  markDelivered(keys: readonly string[]): Promise<void>;
  /** Operations so far: calls and items, for the cost metrics. */
  readonly stats: StoreStats;
}

export interface StoreStats {
  readCalls: number;
  readItems: number;
  writeCalls: number;
  writeItems: number;
}

const newStats = (): StoreStats => ({ readCalls: 0, readItems: 0, writeCalls: 0, writeItems: 0 });

/** For `idempotency: native | none`: no store operations at all. */
export function noKeyStore(): DeliveredKeyStore {
  return {
    filterDelivered: async () => new Set(),
    markDelivered: async () => {},
    stats: newStats(),
  };
}

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
          if (id) found.add(id.slice('delivered#'.length));
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
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 25) {
      let writes = unique.slice(i, i + 25).map((k) => ({
        PutRequest: {
          Item: { id: { S: deliveredItemId(k) }, expiration: { N: expiration }, status: { S: 'COMPLETED' } },
        },
      }));
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
        writes = (out.UnprocessedItems?.[this.#o.tableName] ?? []) as typeof writes;
        this.stats.writeItems -= writes.length;
      }
    }
  }
}
