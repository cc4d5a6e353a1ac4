import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lostAnswers } from './lost-answers.js';

/** A request as the proxy received it, body read. */
export interface ProxyRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** `x-amz-target` (the operation of a JSON-protocol AWS API, e.g. `Kinesis_20131202.PutRecords`). */
  operation: string;
}

export interface ProxyAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Runs once the answer is written to the socket (a fault that strikes "when the response is sent"). */
  after?: () => void;
  /**
   * Runs if the caller never read the answer: it went away before the answer was written, or it aborted (its
   * deadline, a stalled process) with the answer still unread in its socket buffer, so the kernel reset the
   * connection right after it (lost-answers.ts).
   */
  lost?: () => void;
}

export type Forward = (request: ProxyRequest) => Promise<ProxyAnswer>;
/** Decides what to do with a request: forward it as is, rewrite it, or answer it without forwarding. */
export type ProxyHandler = (request: ProxyRequest, forward: Forward) => Promise<ProxyAnswer>;

export interface FaultProxy {
  /** `AWS_ENDPOINT_URL_<SERVICE>` for the functions. */
  url: string;
  /** Where requests go; set once the emulator runs (requests before that get 503). */
  upstream: string | undefined;
  handler: ProxyHandler;
  stop(): Promise<void>;
}

/** Forwards everything unchanged: the handler when no fault is active. */
export const passThrough: ProxyHandler = (request, forward) => forward(request);

/**
 * A fault-injecting HTTP proxy in front of an AWS API emulator (fauxqs, kinesalite). The functions' endpoint
 * variable points here; the runtime's own clients and the audit keep talking to the emulator directly.
 */
export async function startFaultProxy(handler: ProxyHandler = passThrough): Promise<FaultProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const proxy: FaultProxy = { url: '', upstream: undefined, handler, stop: async () => {} };
  const forward: Forward = (req) => {
    const upstream = proxy.upstream;
    if (!upstream) return Promise.resolve(jsonAnswer(503, { message: 'chaos proxy: no upstream yet' }));
    const headers: Record<string, string | string[] | undefined> = {
      ...req.headers,
      'content-length': String(req.body.length),
    };
    delete headers['transfer-encoding'];
    delete headers.host;
    return new Promise((resolve, reject) => {
      const out = httpRequest(`${upstream}${req.url}`, { method: req.method, headers, agent }, (res) => {
        readAll(res)
          .then((body) => {
            const kept: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection')
                kept[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ status: res.statusCode ?? 502, headers: kept, body });
          })
          .catch(reject);
      });
      out.on('error', reject);
      out.end(req.body);
    });
  };
  const lost = lostAnswers();
  const server: Server = createServer((req, res) => {
    lost.request(req);
    readAll(req)
      .then((body) =>
        proxy.handler(
          {
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            headers: req.headers,
            body,
            operation: String(req.headers['x-amz-target'] ?? ''),
          },
          forward,
        ),
      )
      // An emulator that is down (restarting) looks like a connection error to the client too.
      .catch(() => jsonAnswer(503, { message: 'chaos proxy: upstream unreachable' }))
      .then((answer) => {
        // The caller went away while the emulator worked (it aborted the call: its deadline); the effect may
        // have happened all the same, and the caller, which saw a failure, will try again.
        if (res.destroyed || req.socket.destroyed) {
          answer.lost?.();
          return;
        }
        if (answer.lost) lost.answered(req, answer.lost);
        res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
        res.end(answer.body, () => answer.after?.());
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
      agent.destroy();
    });
  return proxy;
}

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): ProxyAnswer {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
