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
  const base = options.baseMs ?? 50;
  const max = options.maxMs ?? 2_000;
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
  const maxAttempts = options.maxAttempts ?? 8;
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
