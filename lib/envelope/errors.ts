/** A message that is not a valid envelope: retrying cannot fix it, so it goes to the DLQ with this reason. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}
