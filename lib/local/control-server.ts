import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PipelineStatus } from '../operate/status/types.js';
import { LocalModeError } from './errors.js';
import type { LoggedRequest } from './receiver.js';

/** What the running pipeline answers on its control endpoint (127.0.0.1 only). */
export interface ControlHandlers {
  status(): Promise<PipelineStatus>;
  /** Requests the local receiver got for an http target, after `after`; throws for other targets. */
  received(target: string, after: number): LoggedRequest[];
  /** Makes a target fail (http: the receiver answers `status`; `handoff`: its hand-off); returns what was done. */
  fail(target: string, status: number, handoff: boolean): string;
  recover(target: string): string;
}

export interface ControlServer {
  /** `http://127.0.0.1:<port>`; the status is at `/status`. */
  url: string;
  close(): Promise<void>;
}

const send = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

async function route(req: IncomingMessage, res: ServerResponse, handlers: ControlHandlers): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control');
  if (req.method === 'GET' && url.pathname === '/status') return send(res, 200, await handlers.status());
  const match = /^\/targets\/([^/]+)\/(received|fail|recover)$/.exec(url.pathname);
  const target = decodeURIComponent(match?.[1] ?? '');
  if (match?.[2] === 'received' && req.method === 'GET') {
    return send(res, 200, {
      requests: handlers.received(target, Number(url.searchParams.get('after') ?? 0)),
    });
  }
  if (match?.[2] === 'fail' && req.method === 'POST') {
    const status = Number(url.searchParams.get('status') ?? 503);
    return send(res, 200, {
      message: handlers.fail(target, status, url.searchParams.get('handoff') === '1'),
    });
  }
  if (match?.[2] === 'recover' && req.method === 'POST') {
    return send(res, 200, { message: handlers.recover(target) });
  }
  send(res, 404, { error: `no such endpoint: ${req.method} ${url.pathname}` });
}

/**
 * The control endpoint of `fanout local`: `GET /status` (the live view's numbers, for `fanout status`),
 * `GET /targets/<name>/received?after=N` (`fanout tail` of an http target), `POST /targets/<name>/fail?status=N[&handoff=1]`
 * and `POST /targets/<name>/recover` (`fanout local fail`). Listens on 127.0.0.1 only.
 */
export function startControlServer(handlers: ControlHandlers, port = 0): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    route(req, res, handlers).catch((error: Error) => {
      send(res, error instanceof LocalModeError ? 400 : 500, { error: error.message });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    );
  });
}
