export {
  type DeliverDeps,
  type DeliverySummary,
  deliverEnvelope,
  type EnvelopeEntry,
  envelopeEntries,
} from './deliver.js';
export { DeliveryError, type FailedRecord, IdempotencyStoreError, MisroutedEnvelopeError } from './errors.js';
export {
  type ClaimOutcome,
  type DeliveredKeyStore,
  DynamoKeyStore,
  deliveredItemId,
  KEY_STATUS,
  noKeyStore,
  type StoreStats,
} from './store.js';
export { createWorker, type WorkerDeps, type WorkerHandler } from './worker.js';
