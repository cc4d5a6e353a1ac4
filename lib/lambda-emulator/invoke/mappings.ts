/**
 * The event source mapping part of the local Lambda API: ListEventSourceMappings and UpdateEventSourceMapping
 * with `ScalingConfig.MaximumConcurrency`, the live setting `fanout concurrency --apply` changes for
 * `via: queue` targets. Other mapping settings are fixed at registration, as they are in this runtime.
 */
import { functionNameOf } from '../arn.js';
import { type ApiResponse, errorResponse, type LambdaBackend } from './protocol.js';

const LIST = /^\/2015-03-31\/event-source-mappings\/?$/;
const ONE = /^\/2015-03-31\/event-source-mappings\/([^/]+)$/;

/** Answers a mapping request, or returns undefined when the request is not one. */
export function handleMappingRequest(
  backend: LambdaBackend,
  request: { method: string; url: string; body: Buffer },
): ApiResponse | undefined {
  const [path = '', query = ''] = request.url.split('?');
  if (request.method === 'GET' && LIST.test(path)) {
    const name = new URLSearchParams(query).get('FunctionName');
    const mappings = backend.mappings(name ? functionNameOf(name) : undefined);
    return json(200, { EventSourceMappings: mappings });
  }
  const one = ONE.exec(path);
  if (!one?.[1]) return undefined;
  const id = decodeURIComponent(one[1]);
  const found = backend.mappings().find((m) => m.UUID === id);
  if (!found)
    return errorResponse(
      404,
      'ResourceNotFoundException',
      `The resource you requested does not exist. (Service: Lambda, UUID: ${id})`,
    );
  if (request.method === 'GET') return json(200, found);
  if (request.method !== 'PUT') return undefined;
  let body: { ScalingConfig?: { MaximumConcurrency?: unknown } } & Record<string, unknown>;
  try {
    body = JSON.parse(request.body.toString('utf8') || '{}') as typeof body;
  } catch {
    return errorResponse(400, 'InvalidParameterValueException', 'the request body is not JSON');
  }
  const others = Object.keys(body).filter((k) => k !== 'ScalingConfig' && k !== 'UUID');
  if (others.length > 0) {
    return errorResponse(
      400,
      'InvalidParameterValueException',
      `the local runtime changes only ScalingConfig.MaximumConcurrency of a mapping, not ${others.join(', ')}`,
    );
  }
  const maximum = body.ScalingConfig?.MaximumConcurrency;
  if (!Number.isInteger(maximum) || (maximum as number) < 2 || (maximum as number) > 1000) {
    return errorResponse(
      400,
      'InvalidParameterValueException',
      'MaximumConcurrency must be an integer from 2 to 1000',
    );
  }
  try {
    return json(202, backend.setMappingMaximumConcurrency(id, maximum as number));
  } catch (error) {
    return errorResponse(400, 'InvalidParameterValueException', (error as Error).message);
  }
}

const json = (status: number, body: unknown): ApiResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
