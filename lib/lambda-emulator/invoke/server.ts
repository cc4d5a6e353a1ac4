import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SYNC_PAYLOAD_LIMIT } from '../constants.js';
import type { ApiCall, RuntimeFaults } from '../faults.js';
import { handleRequest } from './api.js';
import { type ApiResponse, errorResponse, type LambdaBackend } from './protocol.js';

/** Bodies beyond this are not read at all: the request is refused as too large without buffering it. */
const READ_LIMIT = SYNC_PAYLOAD_LIMIT + 1024;

/** A running Lambda API endpoint (`AWS_ENDPOINT_URL_LAMBDA`). */
export interface LambdaApiServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the Lambda API of `backend` on `host:port` (port 0: a free one). */
export async function startLambdaApi(
  backend: LambdaBackend,
  options: {
    host?: string;
    port?: number;
    onProblem?: (error: unknown) => void;
    /** Chaos hooks (harness/chaos), read per request; unset in normal runs. */
    faults?: () => RuntimeFaults | undefined;
  } = {},
): Promise<LambdaApiServer> {
  const server: Server = createServer((request, response) => {
    const faults = options.faults?.();
    const call: ApiCall | undefined = faults
      ? {
          method: request.method ?? 'GET',
          url: request.url ?? '/',
          invocationType: request.headers['x-amz-invocation-type'] as string | undefined,
        }
      : undefined;
    const injected: ApiResponse | undefined = call ? faults?.beforeApiCall?.(call) : undefined;
    readBody(request)
      .then((body) =>
        injected
          ? injected
          : body === undefined
            ? errorResponse(
                413,
                'RequestTooLargeException',
                `Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`,
              )
            : handleRequest(backend, {
                method: request.method ?? 'GET',
                url: request.url ?? '/',
                headers: request.headers,
                body,
              }),
      )
      .catch((error: unknown) => {
        options.onProblem?.(error);
        return errorResponse(500, 'ServiceException', (error as Error)?.message ?? String(error));
      })
      .then((answer) => {
        response.writeHead(answer.status, {
          ...answer.headers,
          'content-length': Buffer.byteLength(answer.body),
        });
        response.end(answer.body);
        if (call) faults?.afterApiCall?.(call, answer.status);
      });
  });
  // Invocations may run up to 15 minutes; Node's default request timeout (5 min) would cut them off.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The whole body, or `undefined` when it is larger than any request the API accepts. */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > READ_LIMIT) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
