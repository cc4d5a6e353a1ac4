export { type ChunkLimits, type Chunks, chunkBySize } from './chunk.js';
export {
  asciiJson,
  decodeEnvelope,
  ENVELOPE_TAIL,
  encodeEnvelope,
  encodeRecord,
  envelopeHead,
  isEnvelopeLike,
  joinEnvelope,
} from './codec.js';
export { EnvelopeError } from './errors.js';
export {
  claimCheckKey,
  compareSequenceNumbers,
  deliveryScope,
  idempotencyKey,
  recordId,
} from './keys.js';
export {
  type ClaimCheckedRecord,
  type ClaimCheckPointer,
  ENVELOPE_KIND,
  ENVELOPE_VERSION,
  type Envelope,
  type EnvelopeRecord,
  type InlineRecord,
  OVERSIZE_KIND,
  type OversizeNotice,
  REFUSED_KIND,
  type RecordNotice,
  type RecordPosition,
  type RefusedNotice,
} from './types.js';
