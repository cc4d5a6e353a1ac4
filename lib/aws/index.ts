export { type Arn, parseArn, streamNameOf } from './arn.js';
export {
  ClientPool,
  type ClientPoolOptions,
  type Credentials,
  type CredentialsProvider,
  OPERATOR_SDK_ATTEMPTS,
  SDK_ATTEMPTS,
} from './clients.js';
export {
  BACKOFF_BASE_MS,
  BACKOFF_MAX_MS,
  backoffDelay,
  classifyError,
  type ErrorClass,
  RETRY_ATTEMPTS,
  type RetryOptions,
  retryWithBackoff,
  sleep,
} from './retry.js';
