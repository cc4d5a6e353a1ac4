/**
 * TransactWriteItems for dynalite, which implements every item operation but not transactions. The idempotency
 * ledger closes a full page and opens the next in one transaction of two conditional puts (lib/ledger/dynamo.ts),
 * so local mode needs it with DynamoDB's semantics: all or nothing; every condition checked under locks on every item; a failed
 * condition cancels the whole request with `TransactionCanceledException` and one reason per item, in request
 * order (`None` for the items that did not fail), with the item when `ReturnValuesOnConditionCheckFailure` is
 * `ALL_OLD`. Put, Delete and ConditionCheck are supported; Update is refused with a clear error.
 *
 * It runs inside the dynalite process (lib/local/emulator-server.ts) on dynalite's own store, helpers and
 * validations, so items, conditions and errors are dynalite's.
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';

const require = createRequire(import.meta.url);

type Item = Record<string, unknown>;
type Callback<T> = (error: DynaliteError | null, value?: T) => void;
interface DynaliteError extends Error {
  statusCode?: number;
  body?: { __type: string; message?: string };
  name: string;
}
interface ItemDb {
  lock: (keys: string[], exec: (release: (done: () => void) => () => void) => void) => void;
  get(key: string, cb: Callback<Item>): void;
  put(key: string, item: Item, cb: Callback<void>): void;
  del(key: string, cb: Callback<void>): void;
}
interface Store {
  getTable(name: string, cb: Callback<Table>): void;
  getItemDb(name: string): ItemDb;
}
type Table = object;
interface Db {
  create(options: object): Store;
  validateItem(item: Item, table: Table): DynaliteError | null | undefined;
  validateKey(key: Item, table: Table): DynaliteError | null | undefined;
  createKey(item: Item, table: Table): string;
  checkConditional(data: object, existing: Item | undefined): DynaliteError | null | undefined;
  updateIndexes(
    store: Store,
    table: Table,
    existing: Item | undefined,
    item: Item | null,
    cb: Callback<void>,
  ): void;
}
interface Validation {
  types: object;
  custom: (data: object, store: Store) => string | undefined;
}
interface Validations {
  checkTypes(data: object, types: object): object;
  checkValidations(data: object, types: object, custom: Validation['custom'], store: Store): void;
}

const db = require('dynalite/db') as Db;
const validations = require('dynalite/validations') as Validations;
const putValidation = require('dynalite/validations/putItem') as Validation;
const deleteValidation = require('dynalite/validations/deleteItem') as Validation;
const crc32 = require('buffer-crc32') as { unsigned(body: string): number };

export const TRANSACT_WRITE_TARGET = 'DynamoDB_20120810.TransactWriteItems';
const PUT_ITEM_TARGET = 'DynamoDB_20120810.PutItem';
const MAX_ITEMS = 100;

/**
 * Creates dynalite's server with TransactWriteItems added. `factory` is dynalite's export; the store it creates
 * is captured (its `db.create`), so the transactions see and lock the same items as every other request.
 */
export function dynaliteWithTransactions(factory: (options: object) => Server, options: object): Server {
  const create = db.create;
  let store: Store | undefined;
  db.create = (o) => {
    store = create(o);
    return store;
  };
  let server: Server;
  try {
    server = factory(options);
  } finally {
    db.create = create;
  }
  if (!store) throw new Error('dynalite did not create its store through db.create; cannot add transactions');
  const own = store;
  const [dynalite] = server.listeners('request') as Array<
    (req: IncomingMessage, res: ServerResponse) => void
  >;
  if (!dynalite) throw new Error('dynalite server has no request handler');
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const target = req.headers['x-amz-target'];
    if (target !== TRANSACT_WRITE_TARGET && target !== PUT_ITEM_TARGET) return dynalite(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let request: unknown;
      try {
        request = JSON.parse(body.toString('utf8'));
      } catch {
        return send(res, 400, { __type: 'com.amazon.coral.service#SerializationException' });
      }
      if (target === PUT_ITEM_TARGET && !returnsOldItemOnFailure(request)) {
        // Any other PutItem is dynalite's own: hand it the request again, body and all.
        const again = Object.assign(new PassThrough(), {
          headers: req.headers,
          method: req.method,
          url: req.url,
        });
        dynalite(again as unknown as IncomingMessage, res);
        again.end(body);
        return;
      }
      const run =
        target === PUT_ITEM_TARGET ? putItemReturningOld(own, request) : transactWrite(own, request);
      run.then(
        (out) => send(res, out.status, out.body),
        (error: unknown) => {
          const e = error as DynaliteError;
          if (e.statusCode && e.body) return send(res, e.statusCode, e.body);
          send(res, 500, {
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: String(e),
          });
        },
      );
    });
  });
  return server;
}

function returnsOldItemOnFailure(request: unknown): boolean {
  const r = request as { ReturnValuesOnConditionCheckFailure?: unknown; ReturnValues?: unknown };
  return r?.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && (r.ReturnValues ?? 'NONE') === 'NONE';
}

/**
 * PutItem with `ReturnValuesOnConditionCheckFailure: ALL_OLD` (dynalite predates it): run as a transaction of one
 * Put, whose cancellation carries the item, and answered as DynamoDB answers a refused PutItem: a
 * ConditionalCheckFailedException with the item as it is. The ledger's optimistic writes read the page they lost
 * to this way, as on AWS, where the returned item is not billed as a read.
 */
async function putItemReturningOld(
  store: Store,
  request: unknown,
): Promise<{ status: number; body: object }> {
  const { ReturnValues: _none, ...put } = request as Record<string, unknown>;
  const out = await transactWrite(store, { TransactItems: [{ Put: put }] });
  const reasons = (out.body as { CancellationReasons?: Array<{ Code?: string; Item?: Item }> })
    .CancellationReasons;
  const reason = reasons?.[0];
  if (out.status === 200) return { status: 200, body: {} };
  if (reason?.Code !== 'ConditionalCheckFailed') return out;
  return {
    status: 400,
    body: {
      __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
      message: 'The conditional request failed',
      ...(reason.Item ? { Item: reason.Item } : {}),
    },
  };
}

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('x-amzn-RequestId', randomUUID());
  res.setHeader('x-amz-crc32', crc32.unsigned(text));
  res.setHeader('Content-Type', 'application/x-amz-json-1.0');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

const validation = (message: string): { status: number; body: object } => ({
  status: 400,
  body: { __type: 'com.amazon.coral.validate#ValidationException', message },
});

interface Operation {
  kind: 'Put' | 'Delete' | 'ConditionCheck';
  /** The operation in the shape of the PutItem / DeleteItem request it is checked as. */
  data: {
    TableName: string;
    Item?: Item;
    Key?: Item;
    ReturnValuesOnConditionCheckFailure?: string;
  };
  table: Table;
  key: string;
}

const promised = <T>(run: (cb: Callback<T>) => void): Promise<T> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))));

/** Runs one TransactWriteItems request; resolves to the HTTP status and body to answer. */
export async function transactWrite(
  store: Store,
  request: unknown,
): Promise<{ status: number; body: object }> {
  const items = (request as { TransactItems?: unknown })?.TransactItems;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    return validation(
      `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and ${MAX_ITEMS}`,
    );
  }
  const operations: Operation[] = [];
  // The items of one transaction often share their condition: parse each distinct expression once, and read
  // each table's description once, not once per item.
  const conditions = new Map<string, unknown>();
  const tables = new Map<string, Table>();
  for (const [i, raw] of items.entries()) {
    const entry = (raw ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const kinds = Object.keys(entry).filter((k) => entry[k] !== undefined);
    const kind = kinds[0];
    if (kinds.length !== 1 || !kind) {
      return validation(`TransactItems[${i}] must hold exactly one of Put, Delete, ConditionCheck, Update`);
    }
    if (kind === 'Update') {
      return validation(
        `TransactItems[${i}]: Update is not supported by the local DynamoDB emulator (dynalite); use Put, Delete or ConditionCheck`,
      );
    }
    if (kind !== 'Put' && kind !== 'Delete' && kind !== 'ConditionCheck') {
      return validation(`TransactItems[${i}]: unknown operation "${kind}"`);
    }
    const { ReturnValuesOnConditionCheckFailure, ...rest } = entry[kind] as Record<string, unknown>;
    if (
      ReturnValuesOnConditionCheckFailure !== undefined &&
      !['ALL_OLD', 'NONE'].includes(String(ReturnValuesOnConditionCheckFailure))
    ) {
      return validation(`TransactItems[${i}]: ReturnValuesOnConditionCheckFailure must be ALL_OLD or NONE`);
    }
    if (kind === 'ConditionCheck' && typeof rest.ConditionExpression !== 'string') {
      return validation(`TransactItems[${i}]: ConditionCheck needs a ConditionExpression`);
    }
    const check = kind === 'Put' ? putValidation : deleteValidation;
    // Throws dynalite's own ValidationException (statusCode and body) for a malformed item or expression.
    const expression = JSON.stringify([
      rest.ConditionExpression,
      rest.ExpressionAttributeNames,
      rest.ExpressionAttributeValues,
    ]);
    const parsed = conditions.get(expression);
    const data = validations.checkTypes(
      parsed === undefined
        ? rest
        : {
            ...rest,
            ConditionExpression: undefined,
            ExpressionAttributeNames: undefined,
            ExpressionAttributeValues: undefined,
          },
      check.types,
    ) as Operation['data'] & { _condition?: unknown };
    validations.checkValidations(data, check.types, check.custom, store);
    if (parsed === undefined) conditions.set(expression, data._condition ?? null);
    else if (parsed !== null) data._condition = parsed;
    let table = tables.get(data.TableName);
    if (!table) {
      table = await promised<Table>((cb) => store.getTable(data.TableName, cb));
      tables.set(data.TableName, table);
    }
    const invalid =
      kind === 'Put' ? db.validateItem(data.Item ?? {}, table) : db.validateKey(data.Key ?? {}, table);
    if (invalid) throw invalid;
    const key = db.createKey((kind === 'Put' ? data.Item : data.Key) ?? {}, table);
    if (ReturnValuesOnConditionCheckFailure !== undefined)
      data.ReturnValuesOnConditionCheckFailure = String(ReturnValuesOnConditionCheckFailure);
    operations.push({ kind, data, table, key });
  }
  const seen = new Set<string>();
  for (const op of operations) {
    const id = `${op.data.TableName}\u0000${op.key}`;
    if (seen.has(id)) return validation('Transaction request cannot include multiple operations on one item');
    seen.add(id);
  }

  // Lock every item (per table, one multi-key lock: the lock library takes them all or waits), then check all
  // conditions before writing anything.
  const byTable = new Map<string, Operation[]>();
  for (const op of operations)
    byTable.set(op.data.TableName, [...(byTable.get(op.data.TableName) ?? []), op]);
  const lockOrder = [...byTable.keys()].sort();
  const releases: Array<() => void> = [];
  try {
    for (const name of lockOrder) {
      const itemDb = store.getItemDb(name);
      const keys = [...new Set((byTable.get(name) ?? []).map((op) => op.key))].sort();
      await new Promise<void>((resolve) =>
        itemDb.lock(keys, (release) => {
          releases.push(release(() => {}));
          resolve();
        }),
      );
    }
    const existing = await Promise.all(
      operations.map((op) =>
        promised<Item | undefined>((cb) =>
          store.getItemDb(op.data.TableName).get(op.key, (error, item) => {
            if (error && error.name !== 'NotFoundError') return cb(error);
            cb(null, error ? undefined : item);
          }),
        ),
      ),
    );
    const reasons = operations.map((op, i) => {
      const failed = db.checkConditional(op.data, existing[i]);
      if (!failed) return { Code: 'None' };
      const old = existing[i];
      return {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        ...(op.data.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old ? { Item: old } : {}),
      };
    });
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
    for (const [i, op] of operations.entries()) {
      if (op.kind === 'ConditionCheck') continue;
      const itemDb = store.getItemDb(op.data.TableName);
      const item = op.kind === 'Put' ? (op.data.Item ?? {}) : null;
      await promised<void>((cb) => db.updateIndexes(store, op.table, existing[i], item, cb));
      if (item) await promised<void>((cb) => itemDb.put(op.key, item, cb));
      else await promised<void>((cb) => itemDb.del(op.key, cb));
    }
    return { status: 200, body: {} };
  } finally {
    for (const release of releases.reverse()) release();
  }
}
