import { FanoutError } from '../errors.js';

/** A message that is not a valid envelope: retrying cannot fix it, so it goes to the DLQ with this reason. */
export class EnvelopeError extends FanoutError {
  override readonly name = 'EnvelopeError';
  override readonly errorCode = 'ENVELOPE_INVALID';
}
