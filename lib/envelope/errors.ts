import { defineError } from '../errors.js';

/** A message that is not a valid envelope: retrying cannot fix it, so it goes to the DLQ with this reason. */
export class EnvelopeError extends defineError('EnvelopeError', 'ENVELOPE_INVALID') {}
