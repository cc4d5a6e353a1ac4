export { type ChunkLimits, type Chunks, chunkBySize } from './chunk.js';
export {
  decodeEnvelope,
  ENVELOPE_TAIL,
  encodeEnvelope,
  encodeRecord,
  envelopeHead,
  isEnvelopeLike,
  joinEnvelope,
} from './codec.js';
export { EnvelopeError } from './errors.js';
export { compareSequenceNumbers, idempotencyKey, recordId } from './keys.js';
export {
  ENVELOPE_KIND,
  ENVELOPE_VERSION,
  type Envelope,
  type EnvelopeRecord,
  OVERSIZE_KIND,
  type OversizeNotice,
} from './types.js';
