/**
 * Lambda limits and fixed values the local runtime reproduces. Each is a documented Lambda behaviour
 * (see ../shared/REFERENCE.md); the ones a user may want to change are defaults of a runtime option.
 */

import { ASYNC_INVOKE_PAYLOAD_LIMIT } from '../config/constants.js';

/** `Invoke` with `RequestResponse`: "Request must be smaller than 6291456 bytes for the InvokeFunction operation". */
export const SYNC_PAYLOAD_LIMIT = 6_291_456;
/** `Invoke` with `Event` (1 MB since late 2025); a runtime option, since older tools assume 256 KB. */
export const DEFAULT_ASYNC_PAYLOAD_LIMIT = ASYNC_INVOKE_PAYLOAD_LIMIT;
/** A function's response is cut off above 6 MB (`Function.ResponseSizeTooLarge`). */
export const RESPONSE_PAYLOAD_LIMIT = 6_291_456;
/** An event source mapping's invocation payload, like a synchronous invoke. */
export const ESM_PAYLOAD_LIMIT = 6_291_456;

/** Async invocation retries after a function error: ~1 minute, then ~2 minutes (before time scaling). */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000] as const;
/** EventInvokeConfig defaults: two retries, six hours. */
export const DEFAULT_ASYNC_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAX_EVENT_AGE_SECONDS = 21_600;
/** Kinesis event source mapping default MaximumRetryAttempts: -1, a failing batch is retried until it expires. */
export const DEFAULT_STREAM_RETRY_ATTEMPTS = -1;

/**
 * Why an async event went to the on-failure destination (`requestContext.condition`), spelled as Lambda writes
 * it, so a call site reads like the record it makes. `ZeroReservedConcurrency`: reserved concurrency 0, Lambda
 * sends new events straight to failure handling, never invoking.
 */
export type AsyncFailureCondition = 'RetriesExhausted' | 'EventAgeExceeded' | 'ZeroReservedConcurrency';

/**
 * Why a stream event source mapping discarded a batch (`requestContext.condition`). `MaximumRecordAgeExceeded`
 * is taken from emulators that reproduce the record; AWS documents only the retry one by example.
 */
export type StreamFailureCondition = 'RetryAttemptsExhausted' | 'MaximumRecordAgeExceeded';

/** Lambda's `X-Amz-Function-Error` value for errors the runtime reports (throws, timeouts, crashes). */
export const UNHANDLED = 'Unhandled';
export const LATEST = '$LATEST';

/** Identity of the simulated account, as the emulators use it (kinesalite, fauxqs). */
export const DEFAULT_ACCOUNT_ID = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

/** Lambda's init phase limit is 10 s; tsx compiles TypeScript on the fly, so locally it gets more room. */
export const DEFAULT_INIT_TIMEOUT_MS = 30_000;
/** Lambda keeps an idle execution environment for minutes; locally a process costs ~80 MB. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
/**
 * Containers per function without reserved concurrency. Lambda's cap is the account's 1,000; one machine
 * runs out of memory long before that, so unreserved functions wait for a container instead of scaling.
 */
export const DEFAULT_UNRESERVED_CONCURRENCY = 8;
