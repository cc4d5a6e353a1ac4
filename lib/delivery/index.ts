export {
  BUSY_REASON,
  type DeliverDeps,
  type DeliverySummary,
  deliverEnvelope,
  type EnvelopeEntry,
  envelopeEntries,
} from './deliver.js';
export { DeliveryError, type FailedRecord, IdempotencyStoreError, MisroutedEnvelopeError } from './errors.js';
export { createWorker, type WorkerDeps, type WorkerHandler } from './worker.js';
