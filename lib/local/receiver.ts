import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver accepted. */
export interface ReceivedRequest {
  path: string;
  body: Buffer;
  idempotencyKey: string | undefined;
  receivedAt: number;
}

/** One request as `fanout tail <http target>` shows it: what the target sent and what it was answered. */
export interface LoggedRequest {
  /** 1, 2, ... per path: `fanout tail` asks for those after the last it printed. */
  seq: number;
  at: string;
  method: string;
  path: string;
  /** Every header the request carried (idempotency-key, x-fanout-*, content-type, configured ones). */
  headers: Record<string, string>;
  /** The body as UTF-8, cut to {@link LOGGED_BODY_BYTES}. */
  body: string;
  bytes: number;
  status: number;
}

/** Requests kept per path for `fanout tail`, and how much of each body. */
export const LOGGED_REQUESTS = 500;
export const LOGGED_BODY_BYTES = 64 * 1024;

/** How the receiver answers a path: by default 200; tests and chaos runs make it fail or hang. */
export interface ReceiverBehaviour {
  status?: number;
  /** Milliseconds before answering. */
  delayMs?: number;
}

/**
 * The local HTTP receiver that `fanout local` points http targets at (`/<target>`): counts what arrives,
 * keeps it for tests, logs the last requests of each path for `fanout tail`, and can be told to fail or slow
 * down per path (`fanout local fail`).
 */
export interface LocalReceiver {
  url: string;
  /** Requests accepted (answered 2xx), by path. */
  received(path: string): ReceivedRequest[];
  /** Requests answered with an error status, by path. */
  refused(path: string): number;
  /** The last {@link LOGGED_REQUESTS} requests to `path` (accepted or not) with a `seq` above `after`. */
  log(path: string, after?: number): LoggedRequest[];
  behave(path: string, behaviour: ReceiverBehaviour | undefined): void;
  /** How `path` is told to answer, if it was. */
  behaviour(path: string): ReceiverBehaviour | undefined;
  stop(): Promise<void>;
}

const MAX_BODY = 10 * 1024 * 1024;

export async function startReceiver(
  options: { port?: number; keepBodies?: boolean } = {},
): Promise<LocalReceiver> {
  const accepted = new Map<string, ReceivedRequest[]>();
  const refusedCount = new Map<string, number>();
  const behaviours = new Map<string, ReceiverBehaviour>();
  const logs = new Map<string, { next: number; entries: LoggedRequest[] }>();
  const remember = (req: IncomingMessage, path: string, body: Buffer, status: number): void => {
    const log = logs.get(path) ?? { next: 1, entries: [] };
    logs.set(path, log);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    log.entries.push({
      seq: log.next++,
      at: new Date().toISOString(),
      method: req.method ?? 'POST',
      path,
      headers,
      body: body.subarray(0, LOGGED_BODY_BYTES).toString('utf8'),
      bytes: body.length,
      status,
    });
    if (log.entries.length > LOGGED_REQUESTS) log.entries.shift();
  };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://receiver').pathname;
    readBody(req)
      .then(async (body) => {
        const behaviour = behaviours.get(path);
        if (behaviour?.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
        const status = behaviour?.status ?? 200;
        if (status >= 200 && status < 300) {
          const list = accepted.get(path) ?? [];
          const key = req.headers['idempotency-key'];
          list.push({
            path,
            body: options.keepBodies === false ? Buffer.alloc(0) : body,
            idempotencyKey: Array.isArray(key) ? key[0] : key,
            receivedAt: Date.now(),
          });
          accepted.set(path, list);
        } else {
          refusedCount.set(path, (refusedCount.get(path) ?? 0) + 1);
        }
        remember(req, path, body, status);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
      })
      .catch((error: Error) => {
        res.writeHead(413).end(error.message);
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: (path) => accepted.get(path) ?? [],
    refused: (path) => refusedCount.get(path) ?? 0,
    log: (path, after = 0) => (logs.get(path)?.entries ?? []).filter((e) => e.seq > after),
    behaviour: (path) => behaviours.get(path),
    behave: (path, behaviour) => {
      if (behaviour) behaviours.set(path, behaviour);
      else behaviours.delete(path);
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error(`body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
