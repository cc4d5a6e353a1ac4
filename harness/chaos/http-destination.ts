import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lostAnswers } from './lost-answers.js';

/** One request an http destination accepted. */
export interface Accepted {
  body: Buffer;
  idempotencyKey: string | undefined;
  /** When it was accepted (ms epoch). */
  at: number;
}

export interface HttpDestinationFaults {
  /** Answer 500 to this request? */
  error(path: string): boolean;
  /** Answer 503 (the destination is down)? */
  down(path: string): boolean;
  /** Called once the destination accepted a record; may return what to do once the 200 is sent. */
  onAccepted?(path: string, body: Buffer): (() => void) | undefined;
  /** Called when the caller went away before the 200 of an accepted record was sent (it saw a failure). */
  onAnswerLost?(path: string, body: Buffer): void;
}

export interface HttpDestination {
  url: string;
  accepted(path: string): Accepted[];
  refused(path: string): number;
  faults: HttpDestinationFaults | undefined;
  stop(): Promise<void>;
}

/**
 * The http destinations of a chaos run: like the local receiver (lib/local/receiver.ts), but every answer can
 * be decided by the run's faults, including striking right after a 200 is sent. A record counts as applied
 * the moment it is accepted, before the answer: as a real endpoint whose answer is lost.
 */
export async function startHttpDestination(): Promise<HttpDestination> {
  const accepted = new Map<string, Accepted[]>();
  const refused = new Map<string, number>();
  const destination: HttpDestination = {
    url: '',
    accepted: (path) => accepted.get(path) ?? [],
    refused: (path) => refused.get(path) ?? 0,
    faults: undefined,
    stop: async () => {},
  };
  const lost = lostAnswers();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://destination').pathname;
    lost.request(req);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const faults = destination.faults;
      const status = faults?.down(path) ? 503 : faults?.error(path) ? 500 : 200;
      if (status !== 200) {
        refused.set(path, (refused.get(path) ?? 0) + 1);
        res.writeHead(status).end(`chaos: ${status}`);
        return;
      }
      const body = Buffer.concat(chunks);
      const key = req.headers['idempotency-key'];
      const list = accepted.get(path) ?? [];
      list.push({ body, idempotencyKey: Array.isArray(key) ? key[0] : key, at: Date.now() });
      accepted.set(path, list);
      const after = faults?.onAccepted?.(path, body);
      // A caller that aborted (its deadline) applied the record without knowing it: it will deliver it again.
      let reported = false;
      const answerLost = (): void => {
        if (reported) return;
        reported = true;
        destination.faults?.onAnswerLost?.(path, body);
      };
      res.once('close', () => {
        if (!res.writableFinished) answerLost();
      });
      // A worker killed once the 200 is sent (after) is explained by its death already: one window per delivery.
      if (!after) lost.answered(req, answerLost);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}', () => after?.());
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  destination.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  destination.stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return destination;
}
