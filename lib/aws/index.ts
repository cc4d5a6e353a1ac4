export { type Arn, parseArn, streamNameOf } from './arn.js';
export {
  ClientPool,
  type ClientPoolOptions,
  type Credentials,
  type CredentialsProvider,
} from './clients.js';
export {
  backoffDelay,
  classifyError,
  type ErrorClass,
  type RetryOptions,
  retryWithBackoff,
  sleep,
} from './retry.js';
