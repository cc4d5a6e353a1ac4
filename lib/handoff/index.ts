export { awsHandoff } from './aws.js';
export { HandoffError, type HandoffFailure, type HandoffPort, type QueueEntry } from './types.js';
