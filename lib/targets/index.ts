export { regionOf } from './destination.js';
export {
  DiscoveryError,
  RecordHeaderError,
  SigningSecretError,
  TargetDestinationError,
  TargetError,
  UnknownTargetTypeError,
} from './errors.js';
export {
  createEventBridgeAdapter,
  DEFAULT_DETAIL_TYPE,
  DEFAULT_EVENT_SOURCE,
  detailOf,
  EVENTBRIDGE_LIMITS,
  NOT_A_JSON_OBJECT,
} from './eventbridge.js';
export { createFirehoseAdapter, FIREHOSE_LIMITS } from './firehose.js';
export {
  createHttpAdapter,
  HTTP_CONCURRENCY,
  HTTP_HEADERS,
  HTTP_LIMITS,
  type HttpAdapterOptions,
} from './http.js';
export {
  outcomeOfRequestError,
  outcomeOfResponse,
  REASON_BODY_CHARS,
  RESPONSE_BODY_CAP,
  readCappedText,
} from './http-response.js';
export { createKinesisAdapter, KINESIS_LIMITS, kinesisRecordSize } from './kinesis.js';
export {
  createLambdaAdapter,
  encodeLambdaPayload,
  LAMBDA_LIMITS,
  type LambdaPartialResponse,
  type LambdaPayload,
  type LambdaPayloadRecord,
  lambdaRecordSize,
  reportedFailures,
  SYNC_INVOKE_PAYLOAD_LIMIT,
} from './lambda.js';
export {
  createMessageEncoder,
  type EncodedMessage,
  encodeMessage,
  fifoFields,
  isMessageSafeText,
  MESSAGE_ATTRIBUTES,
  type MessageAttribute,
  refuseAsMessage,
} from './message.js';
export {
  type MessageBatchApi,
  type MessageBatchResponse,
  messageBatchAdapter,
} from './message-batch.js';
export {
  type BatchEntryFailure,
  deliverAccepted,
  deliverCall,
  delivered,
  type EntryResult,
  entryFailure,
  failAll,
  failed,
  missingResult,
  outcomesByEntryId,
  outcomesInOrder,
  type Prepared,
  withIndexIds,
} from './outcomes.js';
export { ADAPTER_FACTORIES, createAdapter } from './registry.js';
export {
  awsSecretProvider,
  cachedSecretProvider,
  SECRET_TTL_MS,
  type SecretProvider,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  type SignatureCheck,
  signatureHeader,
  verifySignature,
} from './signing.js';
export { createSnsAdapter, SNS_LIMITS } from './sns.js';
export { createSqsAdapter, SQS_LIMITS, type SqsAdapterOptions } from './sqs.js';
export type {
  AdapterContext,
  AdapterFactory,
  DeliveryRecord,
  RecordOutcome,
  TargetAdapter,
  TargetLimits,
} from './types.js';
