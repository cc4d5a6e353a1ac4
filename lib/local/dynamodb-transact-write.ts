/**
 * TransactWriteItems on dynalite's store, with DynamoDB's semantics (see dynamodb-transactions.ts): the request
 * checked as DynamoDB checks it, every item locked, every condition checked before anything is written.
 */
import { db, type Item, promised, type Store } from './dynalite-store.js';
import {
  type Answer,
  MAX_ITEMS,
  type Operation,
  type ParseCache,
  parseOperation,
  validation,
} from './dynamodb-transact-parse.js';

/** Runs one TransactWriteItems request; resolves to the HTTP status and body to answer. */
export async function transactWrite(store: Store, request: unknown): Promise<Answer> {
  const items = (request as { TransactItems?: unknown })?.TransactItems;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    return validation(
      `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and ${MAX_ITEMS}`,
    );
  }
  const operations: Operation[] = [];
  const cache: ParseCache = { conditions: new Map(), tables: new Map() };
  for (const [i, raw] of items.entries()) {
    const operation = await parseOperation(store, raw, i, cache);
    if ('status' in operation) return operation;
    operations.push(operation);
  }
  if (touchesAnItemTwice(operations))
    return validation('Transaction request cannot include multiple operations on one item');

  const releases: Array<() => void> = [];
  try {
    await lockItems(store, operations, releases);
    const existing = await readItems(store, operations);
    const reasons = cancellationReasons(operations, existing);
    if (reasons.some((r) => r.Code !== 'None')) {
      return {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
          CancellationReasons: reasons,
        },
      };
    }
    await writeItems(store, operations, existing);
    return { status: 200, body: {} };
  } finally {
    for (const release of releases.reverse()) release();
  }
}

function touchesAnItemTwice(operations: readonly Operation[]): boolean {
  const seen = new Set<string>();
  for (const op of operations) {
    const id = `${op.data.TableName}\u0000${op.key}`;
    if (seen.has(id)) return true;
    seen.add(id);
  }
  return false;
}

/**
 * Locks every item: per table one multi-key lock (the lock library takes them all or waits), tables in name
 * order. Each lock's release is pushed to `releases` as soon as it is held.
 */
async function lockItems(
  store: Store,
  operations: readonly Operation[],
  releases: Array<() => void>,
): Promise<void> {
  const byTable = new Map<string, Operation[]>();
  for (const op of operations)
    byTable.set(op.data.TableName, [...(byTable.get(op.data.TableName) ?? []), op]);
  for (const name of [...byTable.keys()].sort()) {
    const itemDb = store.getItemDb(name);
    const keys = [...new Set((byTable.get(name) ?? []).map((op) => op.key))].sort();
    await new Promise<void>((resolve) =>
      itemDb.lock(keys, (release) => {
        releases.push(release(() => {}));
        resolve();
      }),
    );
  }
}

/** The items as they are now (undefined where there is none), in request order. */
function readItems(store: Store, operations: readonly Operation[]): Promise<Array<Item | undefined>> {
  return Promise.all(
    operations.map((op) =>
      promised<Item | undefined>((cb) =>
        store.getItemDb(op.data.TableName).get(op.key, (error, item) => {
          if (error && error.name !== 'NotFoundError') return cb(error);
          cb(null, error ? undefined : item);
        }),
      ),
    ),
  );
}

/** One reason per item, in request order: `None`, or the failed condition (with the item for `ALL_OLD`). */
function cancellationReasons(
  operations: readonly Operation[],
  existing: ReadonlyArray<Item | undefined>,
): Array<{ Code: string; Message?: string; Item?: Item }> {
  return operations.map((op, i) => {
    const failed = db.checkConditional(op.data, existing[i]);
    if (!failed) return { Code: 'None' };
    const old = existing[i];
    return {
      Code: 'ConditionalCheckFailed',
      Message: 'The conditional request failed',
      ...(op.data.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old ? { Item: old } : {}),
    };
  });
}

/** Every condition held: the puts and deletes, with the tables' indexes kept up to date. */
async function writeItems(
  store: Store,
  operations: readonly Operation[],
  existing: ReadonlyArray<Item | undefined>,
): Promise<void> {
  for (const [i, op] of operations.entries()) {
    if (op.kind === 'ConditionCheck') continue;
    const itemDb = store.getItemDb(op.data.TableName);
    const item = op.kind === 'Put' ? (op.data.Item ?? {}) : null;
    await promised<void>((cb) => db.updateIndexes(store, op.table, existing[i], item, cb));
    if (item) await promised<void>((cb) => itemDb.put(op.key, item, cb));
    else await promised<void>((cb) => itemDb.del(op.key, cb));
  }
}
