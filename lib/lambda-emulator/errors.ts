import { defineError } from '../errors.js';

/** Errors of the local Lambda runtime itself (a handler's failure is an `InvokeOutcome`, not one of these). */

/** Base class: every runtime error has a stable `name`. */
export class LocalRuntimeError extends defineError('LocalRuntimeError', 'LOCAL_RUNTIME_FAILED') {}

/** No function of that name is registered (`ResourceNotFoundException` on the Invoke API). */
export class FunctionNotFoundError extends defineError(
  'FunctionNotFoundError',
  'LOCAL_FUNCTION_NOT_FOUND',
  LocalRuntimeError,
) {
  constructor(
    readonly functionName: string,
    options?: ErrorOptions,
  ) {
    super(`function "${functionName}" is not registered`, options);
  }
}

/** The runtime stopped while the caller was waiting for a container. */
export class RuntimeStoppedError extends defineError(
  'RuntimeStoppedError',
  'LOCAL_RUNTIME_STOPPED',
  LocalRuntimeError,
) {
  constructor(options?: ErrorOptions) {
    super('the local Lambda runtime has stopped', options);
  }
}
