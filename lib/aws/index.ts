export { ClientPool, type ClientPoolOptions } from './clients.js';
export {
  backoffDelay,
  classifyError,
  type ErrorClass,
  type RetryOptions,
  retryWithBackoff,
  sleep,
} from './retry.js';
