export {
  type ClaimCheckDeps,
  type ClaimCheckResult,
  claimCheck,
  claimCheckThreshold,
  ENVELOPE_HEAD_ROOM,
} from './claim-check.js';
export { deadLetter, type RefusalFailureRecord } from './dead-letter.js';
export {
  type CorruptAggregate,
  type DecodedBatch,
  decodeBatch,
  type SourceRecord,
} from './decode.js';
export {
  createDispatcher,
  type DispatcherDeps,
  type DispatchHandler,
  HANDOFF_ATTEMPTS,
  type InvocationContext,
} from './dispatcher.js';
export type { HandoffUnit } from './handoff-unit.js';
export {
  byMessageGroup,
  deduplicationId,
  messageGroupOf,
  type OrderedUnit,
  runOrderedUnit,
} from './ordered.js';
export { type PackedEnvelope, type PackResult, packEnvelopes } from './pack.js';
export { type PlanContext, targetUnits } from './plan.js';
export { mayBeContent, type RefusedRecord } from './refusal.js';
export { createRouter, type RouteResult, type Router, type Routes } from './route.js';
export { runUnit } from './units.js';
