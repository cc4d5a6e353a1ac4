/**
 * Messages between the runtime and a container process (Node IPC, V8 serialization), and the error objects Lambda's
 * Node.js runtime reports. Shared by both sides, so it imports nothing from the parent.
 */

import type { FunctionErrorPayload } from '../types.js';

/** Runtime → container: run the handler once. */
export interface InvokeRequestMessage {
  type: 'invoke';
  requestId: string;
  /** The event as JSON. */
  payload: string;
  /** Epoch ms at which the invocation times out (for `context.getRemainingTimeInMillis()`). */
  deadlineMs: number;
  invokedFunctionArn: string;
}

/** Container → runtime. */
export type ContainerMessage =
  /** The handler module loaded (the init phase ended). */
  | { type: 'ready' }
  /** The handler module failed to load; the container exits. */
  | { type: 'init-error'; error: FunctionErrorPayload }
  | { type: 'result'; requestId: string; payload: string }
  | { type: 'error'; requestId: string; error: FunctionErrorPayload }
  /** An uncaught exception or unhandled rejection; the container exits right after, as Lambda's does. */
  | { type: 'crash'; error: FunctionErrorPayload };

/** Lambda reports what a handler threw as `{errorType, errorMessage, trace}`; non-errors by their type. */
export function toErrorPayload(thrown: unknown): FunctionErrorPayload {
  if (thrown instanceof Error) {
    return {
      errorType: thrown.name || 'Error',
      errorMessage: thrown.message,
      trace: (thrown.stack ?? '').split('\n').filter((line) => line.length > 0),
    };
  }
  return { errorType: typeof thrown, errorMessage: String(thrown), trace: [] };
}

/** Error of an invocation that ran out of time; the container is killed. */
export function timeoutError(requestId: string, timeoutSeconds: number): FunctionErrorPayload {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

/** Error of an invocation whose container exited (`process.exit`, a signal, running out of memory). */
export function exitError(
  requestId: string,
  exit: { code: number | null; signal: NodeJS.Signals | null; outOfMemory: boolean },
): FunctionErrorPayload {
  const how = exit.signal ? `signal: ${exit.signal}` : `exit status ${exit.code}`;
  if (exit.outOfMemory) {
    return {
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${how} (JavaScript heap out of memory)`,
    };
  }
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${how}`,
  };
}

/** Lambda's classification of errors thrown while the handler module loads. */
export function initError(thrown: unknown, handlerName: string): FunctionErrorPayload {
  const payload = toErrorPayload(thrown);
  const code = (thrown as { code?: unknown } | undefined)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return {
      ...payload,
      errorType: 'Runtime.ImportModuleError',
      errorMessage: `Error: ${payload.errorMessage}`,
    };
  }
  if (payload.errorType === 'SyntaxError') return { ...payload, errorType: 'Runtime.UserCodeSyntaxError' };
  if (payload.errorType === 'Runtime.HandlerNotFound') {
    return { errorType: payload.errorType, errorMessage: `${handlerName} is undefined or not exported` };
  }
  return payload;
}
