export { awsHandoff } from './aws.js';
export { sqsDeadLetterQueue } from './dead-letters.js';
export { HandoffError } from './errors.js';
export type { HandoffFailure, HandoffPort, QueueEntry } from './types.js';
