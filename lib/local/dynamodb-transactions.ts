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
import { type DynaliteError, db, type Item, type Store } from './dynalite-store.js';
import type { Answer } from './dynamodb-transact-parse.js';
import { transactWrite } from './dynamodb-transact-write.js';

const require = createRequire(import.meta.url);
const crc32 = require('buffer-crc32') as { unsigned(body: string): number };

export const TRANSACT_WRITE_TARGET = 'DynamoDB_20120810.TransactWriteItems';
const PUT_ITEM_TARGET = 'DynamoDB_20120810.PutItem';

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
async function putItemReturningOld(store: Store, request: unknown): Promise<Answer> {
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
