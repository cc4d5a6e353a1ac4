import { sleep } from '../aws/retry.js';
import type { LoggedRequest } from '../local/receiver.js';
import type { TailOptions } from './tail-options.js';
import type { CommandIo } from './validate.js';

/** Headers every request carries that say nothing about the record: left out of the printout. */
const TRANSPORT_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'accept',
  'accept-encoding',
  'accept-language',
  'sec-fetch-mode',
  'user-agent',
]);

/**
 * The requests local mode's receiver logged for `target` after `after`; undefined when `target` is not an http
 * target delivering to the receiver (a stream or queue name, then).
 */
export async function receivedRequests(
  controlUrl: string,
  target: string,
  after: number,
): Promise<LoggedRequest[] | undefined> {
  const res = await fetch(`${controlUrl}/targets/${encodeURIComponent(target)}/received?after=${after}`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status === 400 || res.status === 404) return undefined;
  if (!res.ok) throw new Error(`local mode answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { requests: LoggedRequest[] }).requests;
}

/** One request: method, path and answer, the record's headers on one line, then the body. */
export function formatRequest(request: LoggedRequest): string {
  const headers = Object.entries(request.headers)
    .filter(([name]) => !TRANSPORT_HEADERS.has(name))
    .map(([name, value]) => `${name}: ${value}`);
  const cut =
    request.bytes > Buffer.byteLength(request.body)
      ? ` (first ${Buffer.byteLength(request.body)} of ${request.bytes} bytes)`
      : '';
  return `${request.at} ${request.method} ${request.path} -> ${request.status}  ${headers.join('  ')}\n${request.body}${cut}`;
}

/**
 * Prints what the local receiver gets for an http target: with `fromStart` the requests it still keeps (the last
 * 500), else those from now on; polls every 250 ms.
 */
export async function tailReceiver(
  options: TailOptions,
  first: LoggedRequest[],
  io: CommandIo,
): Promise<number> {
  const controlUrl = options.localControlUrl as string;
  let printed = 0;
  let idleSince = Date.now();
  let last = first.at(-1)?.seq ?? 0;
  const done = (): boolean =>
    Boolean(options.signal?.aborted) ||
    (options.max !== undefined && printed >= options.max) ||
    (options.idleSeconds !== undefined && Date.now() - idleSince > options.idleSeconds * 1000);
  let batch = options.fromStart ? first : [];
  while (!done()) {
    for (const request of batch) {
      if (done()) break;
      io.out(formatRequest(request));
      printed++;
      idleSince = Date.now();
    }
    if (done()) break;
    await sleep(250);
    batch = (await receivedRequests(controlUrl, options.name, last)) ?? [];
    last = batch.at(-1)?.seq ?? last;
  }
  return printed;
}
