import { delivered, failed } from './outcomes.js';
import type { RecordOutcome } from './types.js';

/** Bytes of a response body read at most: enough for an error message, never a whole download. */
export const RESPONSE_BODY_CAP = 65_536;
/** Characters of the response body quoted in a failure reason. */
export const REASON_BODY_CHARS = 200;

/**
 * Reads at most `cap` bytes of a response body and cancels the rest, so a huge or endless body costs neither
 * memory nor time. Decodes as UTF-8 (a cut multi-byte character becomes U+FFFD).
 */
export async function readCappedText(
  body: ReadableStream<Uint8Array> | null,
  cap: number = RESPONSE_BODY_CAP,
): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  try {
    while (size < cap) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        break;
      }
      chunks.push(next.value);
      size += next.value.length;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  return Buffer.concat(chunks).subarray(0, cap).toString('utf8');
}

// Statuses where the same request may succeed later: timeout, too early, throttled.
const RETRYABLE_4XX: ReadonlySet<number> = new Set([408, 425, 429]);

/**
 * Outcome of an HTTP response: 2xx delivered; 3xx permanent (a redirect is never followed: the record would
 * go somewhere nobody configured), naming the Location; 408, 425, 429 and 5xx retryable; other 4xx permanent.
 */
export function outcomeOfResponse(status: number, body: string, location?: string | null): RecordOutcome {
  if (status >= 200 && status < 300) return delivered();
  const quoted = body ? `: ${body.slice(0, REASON_BODY_CHARS)}` : '';
  if (status >= 300 && status < 400) {
    return failed(false, `HTTP ${status} redirect to ${location ?? '(no Location)'} not followed${quoted}`);
  }
  return failed(RETRYABLE_4XX.has(status) || status >= 500, `HTTP ${status}${quoted}`);
}

/** Outcome of a request that got no response: a network error, the timeout or the caller's abort. Retryable. */
export function outcomeOfRequestError(error: unknown, timeoutMs: number): RecordOutcome {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return failed(true, `HTTP request timed out after ${timeoutMs} ms`);
  if (e?.name === 'AbortError') return failed(true, 'HTTP request aborted by the caller');
  const cause = e?.cause?.code ?? e?.cause?.message;
  return failed(true, `HTTP request failed: ${e?.message ?? String(error)}${cause ? ` (${cause})` : ''}`);
}
