import { describe, expect, it } from 'vitest';
import {
  afterFunctionError,
  asyncPolicy,
  expiresAt,
  isExpired,
} from '../../../lib/lambda-emulator/async/retry-policy.js';

describe('async retry policy', () => {
  const policy = asyncPolicy({ maxRetryAttempts: 2, maxEventAgeSeconds: 3600 }, 0.001);

  it('scales the 1 min / 2 min delays and the event age by timeScale', () => {
    expect(policy).toEqual({ maxRetryAttempts: 2, maxEventAgeMs: 3600, retryDelaysMs: [60, 120] });
  });

  it('retries after ~1 min, then ~2 min, then gives up with RetriesExhausted', () => {
    expect(afterFunctionError({ receivedAt: 0, attempts: 1 }, policy)).toEqual({
      kind: 'retry',
      delayMs: 60,
    });
    expect(afterFunctionError({ receivedAt: 0, attempts: 2 }, policy)).toEqual({
      kind: 'retry',
      delayMs: 120,
    });
    expect(afterFunctionError({ receivedAt: 0, attempts: 3 }, policy)).toEqual({
      kind: 'fail',
      condition: 'RetriesExhausted',
    });
  });

  it('with no retries, fails after the first error', () => {
    const none = asyncPolicy({ maxRetryAttempts: 0, maxEventAgeSeconds: 60 }, 1);
    expect(afterFunctionError({ receivedAt: 0, attempts: 1 }, none)).toMatchObject({ kind: 'fail' });
  });

  it('expires an event once it is older than the maximum age', () => {
    const event = { receivedAt: 1_000, attempts: 1 };
    expect(expiresAt(event, policy)).toBe(4_600);
    expect(isExpired(event, policy, 4_600)).toBe(false);
    expect(isExpired(event, policy, 4_601)).toBe(true);
  });
});
