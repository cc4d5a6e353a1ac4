import { describe, expect, it } from 'vitest';
import { outcomeOfRequestError, outcomeOfResponse, readCappedText } from '../../lib/targets/http-response.js';

/** A body that yields `chunks` chunks of `size` bytes, counting how many were pulled and whether it was cancelled. */
function countingBody(chunks: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === chunks) return controller.close();
      state.pulled += 1;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { body, state };
}

describe('http responses', () => {
  it('reads at most the cap and cancels the rest of the body', async () => {
    const { body, state } = countingBody(1_000, 1_024);
    const text = await readCappedText(body, 4_096);
    expect(text).toHaveLength(4_096);
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(10);
  });

  it('reads a short body to its end without cancelling', async () => {
    const { body, state } = countingBody(2, 10);
    expect(await readCappedText(body)).toBe('a'.repeat(20));
    expect(state.cancelled).toBe(false);
    expect(await readCappedText(null)).toBe('');
  });

  it('classifies statuses: 2xx ok, 3xx and other 4xx permanent, 408/425/429/5xx retryable', () => {
    expect(outcomeOfResponse(201, '')).toEqual({ ok: true });
    expect(outcomeOfResponse(301, '', 'https://elsewhere')).toEqual({
      ok: false,
      retryable: false,
      reason: 'HTTP 301 redirect to https://elsewhere not followed',
    });
    for (const status of [408, 425, 429, 500, 502, 599])
      expect(outcomeOfResponse(status, '')).toMatchObject({ retryable: true });
    for (const status of [400, 401, 403, 404, 409, 413, 422])
      expect(outcomeOfResponse(status, '')).toMatchObject({ retryable: false });
    expect(outcomeOfResponse(500, 'x'.repeat(1_000))).toEqual({
      ok: false,
      retryable: true,
      reason: `HTTP 500: ${'x'.repeat(200)}`,
    });
  });

  it('treats every request error as retryable', () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    const network = new TypeError('fetch failed', {
      cause: Object.assign(new Error('socket'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(outcomeOfRequestError(timeout, 250)).toEqual({
      ok: false,
      retryable: true,
      reason: 'HTTP request timed out after 250 ms',
    });
    expect(outcomeOfRequestError(network, 250)).toEqual({
      ok: false,
      retryable: true,
      reason: 'HTTP request failed: fetch failed (UND_ERR_SOCKET)',
    });
  });
});
