/** Errors of the local Lambda runtime itself (a handler's failure is an `InvokeOutcome`, not one of these). */

/** Base class: every runtime error has a stable `name`. */
export class LocalRuntimeError extends Error {
  override name = 'LocalRuntimeError';
}

/** No function of that name is registered (`ResourceNotFoundException` on the Invoke API). */
export class FunctionNotFoundError extends LocalRuntimeError {
  override name = 'FunctionNotFoundError';
  constructor(readonly functionName: string) {
    super(`function "${functionName}" is not registered`);
  }
}

/** The runtime stopped while the caller was waiting for a container. */
export class RuntimeStoppedError extends LocalRuntimeError {
  override name = 'RuntimeStoppedError';
  constructor() {
    super('the local Lambda runtime has stopped');
  }
}
