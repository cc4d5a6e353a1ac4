export { awsHandoff } from './aws.js';
export { sqsDeadLetterQueue } from './dead-letters.js';
export { HandoffError, type HandoffFailure, type HandoffPort, type QueueEntry } from './types.js';
