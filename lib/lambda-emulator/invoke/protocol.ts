/**
 * What the local Lambda API and its parts (the request router in api.ts, the mapping requests in mappings.ts, the
 * HTTP server) share: the backend they answer from and the restJson1 response shape, whose error code travels in
 * `x-amzn-ErrorType` and message in the body, as `@aws-sdk/client-lambda` parses them.
 */
import type { InvokeOutcome } from '../types.js';

/** What the API needs from the runtime. */
export interface LambdaBackend {
  readonly asyncPayloadLimit: number;
  has(name: string): boolean;
  functionArn(name: string): string;
  /** `undefined`: throttled (reserved concurrency in use). */
  invokeSync(name: string, payload: string): Promise<InvokeOutcome | undefined>;
  /** Queues an event and returns its request id. */
  invokeAsync(name: string, payload: string): string;
  getReservedConcurrency(name: string): number | undefined;
  setReservedConcurrency(name: string, reserved: number | undefined): void;
  /** `Configuration` of GetFunction. */
  configuration(name: string): Record<string, unknown>;
  /** Event source mappings (of a function, or all), as ListEventSourceMappings describes them. */
  mappings(functionName?: string): Array<Record<string, unknown>>;
  /** UpdateEventSourceMapping `ScalingConfig.MaximumConcurrency`; returns the mapping. Throws for a stream mapping. */
  setMappingMaximumConcurrency(id: string, maximum: number): Record<string, unknown>;
  /** The runtime's counters, served at {@link STATS_PATH} for `fanout status` in another process. */
  stats(): unknown;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function errorResponse(
  status: number,
  type: string,
  message: string,
  extra: object = {},
): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    body: JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message, ...extra }),
  };
}
