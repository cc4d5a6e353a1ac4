/**
 * The subset of the Lambda REST API the local runtime speaks, as a pure request → response function over a
 * {@link LambdaBackend}, so the HTTP server stays a thin adapter. Response shapes follow the restJson1
 * protocol `@aws-sdk/client-lambda` parses: the error code in `x-amzn-ErrorType`, the message in the body.
 */

import { functionNameOf } from '../arn.js';
import { LATEST, SYNC_PAYLOAD_LIMIT, UNHANDLED } from '../constants.js';
import { handleMappingRequest } from './mappings.js';
import { type ApiResponse, errorResponse, type LambdaBackend } from './protocol.js';

/** Not a Lambda API: the local runtime's stats as JSON. */
export const STATS_PATH = '/_local/stats';

type Operation =
  | 'Invoke'
  | 'GetFunction'
  | 'GetFunctionConcurrency'
  | 'PutFunctionConcurrency'
  | 'DeleteFunctionConcurrency';

const ROUTES: ReadonlyArray<{ method: string; pattern: RegExp; op: Operation }> = [
  { method: 'POST', pattern: /^\/2015-03-31\/functions\/([^/]+)\/invocations$/, op: 'Invoke' },
  { method: 'GET', pattern: /^\/2015-03-31\/functions\/([^/]+)$/, op: 'GetFunction' },
  { method: 'GET', pattern: /^\/2019-09-30\/functions\/([^/]+)\/concurrency$/, op: 'GetFunctionConcurrency' },
  { method: 'PUT', pattern: /^\/2017-10-31\/functions\/([^/]+)\/concurrency$/, op: 'PutFunctionConcurrency' },
  {
    method: 'DELETE',
    pattern: /^\/2017-10-31\/functions\/([^/]+)\/concurrency$/,
    op: 'DeleteFunctionConcurrency',
  },
];

/** Which operation a request is, and for which function (the path may hold a name or an encoded ARN). */
export function route(method: string, url: string): { op: Operation; functionName: string } | undefined {
  const path = url.split('?')[0] ?? '';
  for (const candidate of ROUTES) {
    const match = candidate.method === method ? candidate.pattern.exec(path) : null;
    if (match?.[1]) return { op: candidate.op, functionName: functionNameOf(decodeURIComponent(match[1])) };
  }
  return undefined;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: body === undefined ? '' : JSON.stringify(body),
});

/** Answers one API request. `headers` are lower-case, as Node gives them. */
export async function handleRequest(
  backend: LambdaBackend,
  request: {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  },
): Promise<ApiResponse> {
  if (request.method === 'GET' && request.url.split('?')[0] === STATS_PATH) return json(200, backend.stats());
  const mapping = handleMappingRequest(backend, request);
  if (mapping) return mapping;
  const matched = route(request.method, request.url);
  if (!matched) {
    return errorResponse(
      501,
      'NotImplemented',
      `the local Lambda runtime does not implement ${request.method} ${request.url}`,
    );
  }
  const { op, functionName } = matched;
  if (!backend.has(functionName)) {
    return errorResponse(
      404,
      'ResourceNotFoundException',
      `Function not found: ${backend.functionArn(functionName)}`,
    );
  }
  switch (op) {
    case 'Invoke':
      return invoke(
        backend,
        functionName,
        String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse'),
        request.body,
      );
    case 'GetFunction': {
      const reserved = backend.getReservedConcurrency(functionName);
      return json(200, {
        Configuration: backend.configuration(functionName),
        Code: { RepositoryType: 'S3', Location: '' },
        ...(reserved === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: reserved } }),
      });
    }
    case 'GetFunctionConcurrency': {
      const reserved = backend.getReservedConcurrency(functionName);
      return json(200, reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved });
    }
    case 'PutFunctionConcurrency': {
      let reserved: unknown;
      try {
        reserved = (JSON.parse(request.body.toString('utf8')) as { ReservedConcurrentExecutions?: unknown })
          .ReservedConcurrentExecutions;
      } catch {
        reserved = undefined;
      }
      if (!Number.isInteger(reserved) || (reserved as number) < 0 || (reserved as number) > 1000) {
        return errorResponse(
          400,
          'InvalidParameterValueException',
          'ReservedConcurrentExecutions must be an integer from 0 to 1000',
        );
      }
      backend.setReservedConcurrency(functionName, reserved as number);
      return json(200, { ReservedConcurrentExecutions: reserved });
    }
    case 'DeleteFunctionConcurrency':
      backend.setReservedConcurrency(functionName, undefined);
      return json(204, undefined);
  }
}

async function invoke(
  backend: LambdaBackend,
  name: string,
  type: string,
  body: Buffer,
): Promise<ApiResponse> {
  if (type !== 'Event' && type !== 'RequestResponse' && type !== 'DryRun') {
    return errorResponse(
      400,
      'InvalidParameterValueException',
      `InvocationType "${type}" is not Event, RequestResponse or DryRun`,
    );
  }
  const limit = type === 'Event' ? backend.asyncPayloadLimit : SYNC_PAYLOAD_LIMIT;
  if (body.length > limit) {
    return errorResponse(
      413,
      'RequestTooLargeException',
      `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
    );
  }
  const payload = body.length === 0 ? '{}' : body.toString('utf8');
  try {
    JSON.parse(payload);
  } catch (error) {
    return errorResponse(
      400,
      'InvalidRequestContentException',
      `Could not parse request body into json: ${(error as Error).message}`,
    );
  }
  if (type === 'DryRun') return json(204, undefined);
  if (type === 'Event') {
    const requestId = backend.invokeAsync(name, payload);
    return { status: 202, headers: { 'x-amzn-requestid': requestId }, body: '' };
  }
  const outcome = await backend.invokeSync(name, payload);
  if (!outcome) {
    return errorResponse(429, 'TooManyRequestsException', 'Rate Exceeded.', {
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
  }
  const headers = { 'x-amz-executed-version': LATEST, 'x-amzn-requestid': outcome.requestId };
  if (outcome.ok)
    return {
      status: 200,
      headers: { 'content-type': 'application/json', ...headers },
      body: outcome.payload,
    };
  return json(200, outcome.error, { ...headers, 'x-amz-function-error': UNHANDLED });
}
