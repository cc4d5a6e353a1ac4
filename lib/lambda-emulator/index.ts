export { type AccountScope, functionArn, functionNameOf } from './arn.js';
export { type BatchResult, interpretBatchResult } from './batch-response.js';
export { type Clock, systemClock } from './clock.js';
export {
  type AsyncFailureCondition,
  DEFAULT_ASYNC_PAYLOAD_LIMIT,
  type StreamFailureCondition,
  SYNC_PAYLOAD_LIMIT,
} from './constants.js';
export type { KinesisMappingDefinition, SqsMappingDefinition } from './definitions.js';
export type { AsyncInvocationRecord, KinesisBatchInfo, StreamFailureRecord } from './destinations/records.js';
export { FunctionNotFoundError, LocalRuntimeError, RuntimeStoppedError } from './errors.js';
export {
  type InvocationEvent,
  type MappingBatchEvent,
  type RuntimeEventMap,
  RuntimeEvents,
  type RuntimeProblem,
} from './events.js';
export type { ApiCall, RuntimeFaults } from './faults.js';
export { route, STATS_PATH } from './invoke/api.js';
export { type ApiResponse, errorResponse } from './invoke/protocol.js';
export type { KinesisEventRecord } from './kinesis/event.js';
export type { LocalLambdaRuntimeOptions } from './options.js';
export { LocalLambdaRuntime, type RuntimeResumeReport, type RuntimeStopReport } from './runtime.js';
export type { SqsEventRecord } from './sqs/event.js';
export type { AsyncStats, FunctionStats, MappingStats, RuntimeStats } from './stats.js';
export type {
  AsyncInvokeConfig,
  ContainerLogLine,
  FunctionDefinition,
  FunctionErrorPayload,
  HandlerRef,
  InvocationSource,
  InvokeOutcome,
} from './types.js';
