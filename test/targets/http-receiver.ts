import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the receiver got. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A real HTTP server on a free port whose paths behave like the receivers an http target meets. */
export interface Receiver {
  base: string;
  seen: SeenRequest[];
  /** Most `/slow` requests in flight at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

/** Writes chunks until the client goes away: an endless body. */
function endless(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  const chunk = Buffer.alloc(16_384, 'z');
  const write = (): void => {
    while (!res.destroyed && res.write(chunk)) {
      // fill the socket buffer, then wait for it to drain
    }
    if (!res.destroyed) res.once('drain', write);
  };
  write();
}

/**
 * Starts the receiver. Paths: /ok 204; /by-body 503 for body `fail`, 422 for `bad`, else 200; /500, /400,
 * /429 with a short body; /302 to /moved; /hang never answers; /huge-ok and /huge-error stream an endless
 * body; /slow answers after 30 ms and counts requests in flight.
 */
export async function startReceiver(): Promise<Receiver> {
  let inFlight = 0;
  const receiver: Receiver = { base: '', seen: [], maxInFlight: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      receiver.seen.push({ method: req.method ?? '', path, headers: req.headers, body });
      const text = body.toString();
      if (path === '/ok') res.writeHead(204).end();
      else if (path === '/by-body' && text === 'fail') res.writeHead(503).end('busy');
      else if (path === '/by-body' && text === 'bad') res.writeHead(422).end('no');
      else if (path === '/by-body') res.writeHead(200).end();
      else if (path === '/500') res.writeHead(500).end('upstream exploded');
      else if (path === '/400')
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid"}');
      else if (path === '/429') res.writeHead(429).end('slow down');
      else if (path === '/302') res.writeHead(302, { location: `${receiver.base}/moved` }).end();
      else if (path === '/hang') return;
      else if (path === '/huge-ok') endless(res, 200);
      else if (path === '/huge-error') endless(res, 500);
      else if (path === '/slow') {
        inFlight += 1;
        receiver.maxInFlight = Math.max(receiver.maxInFlight, inFlight);
        setTimeout(() => {
          inFlight -= 1;
          res.writeHead(200).end();
        }, 30);
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}
