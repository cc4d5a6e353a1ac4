import { defineError } from '../errors.js';

/** A hand-off call failed as a whole. */
export class HandoffError extends defineError('HandoffError', 'HANDOFF_FAILED') {
  /** The service's error code (the SDK error's name), when the call reached the service. */
  readonly code: string | undefined;
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions & { code?: string },
  ) {
    super(message, options);
    this.code = options?.code;
  }
}
