/**
 * Lambda's handling of a failed asynchronous invocation, as pure functions of time: retry after ~1 min,
 * then ~2 min (up to MaximumRetryAttempts), and give up on events older than MaximumEventAgeInSeconds.
 * Every duration is multiplied by the runtime's `timeScale`, so tests see minutes pass in milliseconds.
 */

import { ASYNC_RETRY_DELAYS_MS, type AsyncFailureCondition } from '../constants.js';

export interface AsyncPolicy {
  maxRetryAttempts: number;
  /** Scaled. */
  maxEventAgeMs: number;
  /** Scaled; the last one repeats. */
  retryDelaysMs: readonly number[];
}

/** What the policy needs to know of an event. */
export interface AsyncEventState {
  /** Epoch ms at which Lambda accepted the event (its age counts from here). */
  receivedAt: number;
  /** Invocations so far. */
  attempts: number;
}

export type NextStep =
  | { kind: 'retry'; delayMs: number }
  | { kind: 'fail'; condition: AsyncFailureCondition };

export function asyncPolicy(
  config: { maxRetryAttempts: number; maxEventAgeSeconds: number },
  timeScale: number,
): AsyncPolicy {
  return {
    maxRetryAttempts: config.maxRetryAttempts,
    maxEventAgeMs: config.maxEventAgeSeconds * 1000 * timeScale,
    retryDelaysMs: ASYNC_RETRY_DELAYS_MS.map((ms) => ms * timeScale),
  };
}

/** An event older than the maximum age is not invoked again; it goes to failure handling. */
export function isExpired(event: AsyncEventState, policy: AsyncPolicy, now: number): boolean {
  return now - event.receivedAt > policy.maxEventAgeMs;
}

/** Epoch ms at which the event expires. */
export function expiresAt(event: AsyncEventState, policy: AsyncPolicy): number {
  return event.receivedAt + policy.maxEventAgeMs;
}

/**
 * After a function error: retry after the delay of this retry, or give up when the retries are spent.
 * The age limit is checked when the retry comes due (as Lambda dequeues it), by {@link isExpired}.
 */
export function afterFunctionError(event: AsyncEventState, policy: AsyncPolicy): NextStep {
  const retriesDone = event.attempts - 1;
  if (retriesDone >= policy.maxRetryAttempts) {
    return { kind: 'fail', condition: 'RetriesExhausted' };
  }
  const delays = policy.retryDelaysMs;
  const delayMs = delays[Math.min(retriesDone, delays.length - 1)] ?? 0;
  return { kind: 'retry', delayMs };
}
