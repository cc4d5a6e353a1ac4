/** Whether an error is worth another attempt, and a short reason for logs and DLQ records. */
export interface ErrorClass {
  retryable: boolean;
  reason: string;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'KMSThrottlingException',
  'EC2ThrottledException',
  'LimitExceededException',
]);
const TRANSIENT = new Set([
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServiceError',
  'InternalException',
  'ServiceException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ResourceConflictException',
  'EC2UnexpectedException',
  'KMSInternalException',
]);

/**
 * Classifies an SDK, network or HTTP error: throttling (429), server errors (5xx) and network failures are
 * retryable; anything else (access denied, not found, validation) is not.
 */
export function classifyError(error: unknown): ErrorClass {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    cause?: { code?: string };
  };
  const name = e?.name ?? 'Error';
  const code = e?.code ?? e?.cause?.code;
  const status = e?.$metadata?.httpStatusCode;
  const reason = `${name}${code && code !== name ? ` (${code})` : ''}: ${e?.message ?? String(error)}`;
  const retryable =
    Boolean(e?.$retryable) ||
    THROTTLING.has(name) ||
    TRANSIENT.has(name) ||
    (code !== undefined && TRANSIENT.has(code)) ||
    status === 429 ||
    (status !== undefined && status >= 500);
  return { retryable, reason };
}

/**
 * First delay cap of the backoff, milliseconds: the first retry comes soon (a 5xx or a brief throttle often
 * passes at once), and the caps double from there ("full jitter", AWS Architecture Blog, "Exponential Backoff
 * And Jitter").
 */
export const BACKOFF_BASE_MS = 50;
/** Largest delay cap, milliseconds: a retry never waits longer than this, so a call inside a deadline gets its turns. */
export const BACKOFF_MAX_MS = 2_000;
/**
 * Attempts of {@link retryWithBackoff} for a caller that names none, the first included. The deadline is what
 * bounds a caller; eight attempts with the default backoff wait at most 5.15 s (50 + 100 + ... + 1,600 + 2,000 ms
 * caps, about half on average), so a call that keeps failing gives up in seconds rather than at the deadline.
 */
export const RETRY_ATTEMPTS = 8;

export interface BackoffOptions {
  /** First delay cap, milliseconds. */
  baseMs?: number;
  /** Largest delay, milliseconds. */
  maxMs?: number;
  /** Uniform [0, 1) source; injectable for tests. */
  random?: () => number;
}

/** "Full jitter" backoff: a uniform delay in [0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? BACKOFF_BASE_MS;
  const max = options.maxMs ?? BACKOFF_MAX_MS;
  const random = options.random ?? Math.random;
  return Math.floor(random() * Math.min(max, base * 2 ** attempt));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryOptions extends BackoffOptions {
  /** Epoch ms after which no new attempt starts (the invocation's deadline). */
  deadline: number;
  /** Attempts at most, the first included. */
  maxAttempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `attempt` until it reports nothing left to do, retrying what is left with jittered backoff while the
 * deadline allows. `attempt` gets the attempt number and returns the work still pending (empty: done).
 * Returns the work still pending when attempts or time ran out.
 */
export async function retryWithBackoff<T>(
  pending: T[],
  attempt: (pending: T[], attemptNumber: number) => Promise<T[]>,
  options: RetryOptions,
): Promise<T[]> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const maxAttempts = options.maxAttempts ?? RETRY_ATTEMPTS;
  let left = pending;
  for (let n = 0; n < maxAttempts && left.length > 0; n++) {
    if (n > 0) {
      const delay = backoffDelay(n - 1, options);
      if (now() + delay >= options.deadline) break;
      await wait(delay);
    }
    left = await attempt(left, n);
  }
  return left;
}
