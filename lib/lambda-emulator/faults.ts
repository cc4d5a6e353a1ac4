/**
 * Fault hooks of the local runtime, for chaos runs (harness/chaos). Off by default: with no hooks set, each hook
 * site costs one property read. The runtime only offers the places where a fault can happen; what to inject
 * and when is decided by the caller.
 */
import type { ApiResponse } from './invoke/protocol.js';
import type { FunctionErrorPayload, InvocationSource } from './types.js';

/** One request to the Lambda API, as a fault hook sees it. */
export interface ApiCall {
  method: string;
  url: string;
  /** `Event`, `RequestResponse` or `DryRun` (Invoke only). */
  invocationType: string | undefined;
}

export interface RuntimeFaults {
  /** Before the API handles a request: an answer to give instead (e.g. an injected 429), or undefined. */
  beforeApiCall?(call: ApiCall): ApiResponse | undefined;
  /** After the API answered a request (the answer is written), with its status. */
  afterApiCall?(call: ApiCall, status: number): void;
  /** Before a handler runs: an error to fail the invocation with, as a crash before the handler would. */
  beforeInvoke?(functionName: string, source: InvocationSource): FunctionErrorPayload | undefined;
}
