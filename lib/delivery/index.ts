export {
  type DeliverDeps,
  type DeliverySummary,
  deliverEnvelope,
  type EnvelopeEntry,
  envelopeEntries,
} from './deliver.js';
export { DeliveryError, type FailedRecord, MisroutedEnvelopeError } from './errors.js';
export {
  type EnvelopeClaim,
  type EnvelopeLock,
  envelopeClaim,
  noEnvelopeLock,
  powertoolsEnvelopeLock,
} from './lock.js';
export {
  type DeliveredKeyStore,
  DynamoKeyStore,
  deliveredItemId,
  noKeyStore,
  type StoreStats,
} from './store.js';
export { createWorker, type WorkerDeps, type WorkerHandler } from './worker.js';
