import { FanoutError } from '../errors.js';

/** Errors of the local Lambda runtime itself (a handler's failure is an `InvokeOutcome`, not one of these). */

/** Base class: every runtime error has a stable `name`. */
export class LocalRuntimeError extends FanoutError {
  override readonly name: string = 'LocalRuntimeError';
  override readonly errorCode: string = 'LOCAL_RUNTIME_FAILED';
}

/** No function of that name is registered (`ResourceNotFoundException` on the Invoke API). */
export class FunctionNotFoundError extends LocalRuntimeError {
  override readonly name = 'FunctionNotFoundError';
  override readonly errorCode = 'LOCAL_FUNCTION_NOT_FOUND';
  constructor(
    readonly functionName: string,
    options?: ErrorOptions,
  ) {
    super(`function "${functionName}" is not registered`, options);
  }
}

/** The runtime stopped while the caller was waiting for a container. */
export class RuntimeStoppedError extends LocalRuntimeError {
  override readonly name = 'RuntimeStoppedError';
  override readonly errorCode = 'LOCAL_RUNTIME_STOPPED';
  constructor(options?: ErrorOptions) {
    super('the local Lambda runtime has stopped', options);
  }
}
