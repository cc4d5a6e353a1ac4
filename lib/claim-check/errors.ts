import { defineError } from '../errors.js';

/** A claim-check object could not be stored or read, and whether trying again can help. */
export class ClaimCheckError extends defineError('ClaimCheckError', 'CLAIM_CHECK_FAILED') {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
