import pLimit from 'p-limit';
import type { TargetConfig } from '../config/index.js';
import { redactUrl } from '../observability/redact.js';
import { RecordHeaderError, SigningSecretError, TargetDestinationError } from './errors.js';
import { outcomeOfRequestError, outcomeOfResponse, readCappedText } from './http-response.js';
import { failed } from './outcomes.js';
import { awsSecretProvider, type SecretProvider, signatureHeader } from './signing.js';
import type { AdapterContext, DeliveryRecord, RecordOutcome, TargetAdapter, TargetLimits } from './types.js';

/** Bytes of one request body (a record): the 6 MiB of a Lambda-backed receiver, generous for the rest. */
const MAX_RECORD_BYTES = 6_291_456;
/** Requests in flight at once, over all deliver calls of one adapter. */
export const HTTP_CONCURRENCY = 16;

/**
 * One request per record, so a "call" is a group of requests: as many records per deliver call as requests run
 * at once, no byte limit beyond each record's own. Small on purpose: the worker records a call's delivered keys
 * when the whole call has answered, so the records a crash can make it deliver again are one call's.
 */
export const HTTP_LIMITS: TargetLimits = Object.freeze({
  maxRecords: HTTP_CONCURRENCY,
  maxBytes: HTTP_CONCURRENCY * MAX_RECORD_BYTES,
  maxRecordBytes: MAX_RECORD_BYTES,
  parallelCalls: HTTP_CONCURRENCY,
});

/**
 * Headers the adapter sets on every request, after the configured ones, which cannot replace them (a configured
 * `content-type` does replace `http.contentType`).
 */
export const HTTP_HEADERS = {
  idempotencyKey: 'idempotency-key',
  /** URI-encoded (`encodeURIComponent`): a partition key is any Unicode, a header value is not. */
  partitionKey: 'x-fanout-partition-key',
  sequenceNumber: 'x-fanout-sequence-number',
  subSequence: 'x-fanout-sub-sequence-number',
} as const;

// The schema's defaults, for a target without an `http` block.
const DEFAULT_OPTIONS: NonNullable<TargetConfig['http']> = {
  method: 'POST',
  headers: {},
  contentType: 'application/octet-stream',
  timeoutMs: 10_000,
  allowInsecure: false,
  allowPrivate: false,
};

export interface HttpAdapterOptions {
  /** Requests in flight at once (default {@link HTTP_CONCURRENCY}). */
  concurrency?: number;
  /** Signing secrets (default: the context's provider, else SSM / Secrets Manager through its client pool). */
  secrets?: SecretProvider;
  /** Clock of the signature timestamp. */
  now?: () => number;
}

/** The destination URL, refused unless https (or http with `allowInsecure`). */
function destinationUrl(target: TargetConfig, allowInsecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(target.destination);
  } catch (cause) {
    throw new TargetDestinationError(target.name, target.destination, 'is not a URL', { cause });
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && allowInsecure)) return url;
  throw new TargetDestinationError(
    target.name,
    redactUrl(target.destination),
    url.protocol === 'http:'
      ? 'is plain http; set http.allowInsecure: true to allow it'
      : `has protocol ${url.protocol}; an http target needs https:`,
  );
}

/**
 * The configured headers, validated once so a bad one fails the worker at start, not every record. The error
 * names the header but not its value (it may be a credential; the platform's TypeError would quote it).
 */
function configuredHeaders(target: TargetConfig, http: NonNullable<TargetConfig['http']>): Headers {
  const headers = new Headers();
  // set, not a spread: header names are case-insensitive, and a configured Content-Type must replace ours.
  for (const [name, value] of Object.entries({ 'content-type': http.contentType, ...http.headers })) {
    try {
      headers.set(name, value);
    } catch {
      throw new TargetDestinationError(
        target.name,
        redactUrl(target.destination),
        `has an invalid configured header "${name}" (value not shown)`,
      );
    }
  }
  const signing = http.signing?.header.toLowerCase();
  if (signing && (signing === 'content-type' || Object.values<string>(HTTP_HEADERS).includes(signing))) {
    throw new TargetDestinationError(
      target.name,
      redactUrl(target.destination),
      `has http.signing.header "${signing}", which the adapter sets itself; choose another name`,
    );
  }
  return headers;
}

/**
 * The configured headers and the record's own. A partition key with a lone surrogate (half of a UTF-16 pair:
 * Kinesis stores it, JavaScript strings can hold it) has no UTF-8 form, so `encodeURIComponent` throws on it:
 * that record cannot carry its key, and fails permanently with the reason.
 */
function recordHeaders(base: Headers, record: DeliveryRecord): Headers {
  const headers = new Headers(base);
  headers.set(HTTP_HEADERS.idempotencyKey, record.key);
  const key = record.partitionKey;
  let partitionKey: string;
  try {
    partitionKey = encodeURIComponent(key);
  } catch (cause) {
    if (!(cause instanceof URIError)) throw cause;
    throw new RecordHeaderError(
      `the partition key is not well-formed Unicode (it holds a lone surrogate), so it cannot be URI-encoded into the ${HTTP_HEADERS.partitionKey} header`,
      { cause },
    );
  }
  headers.set(HTTP_HEADERS.partitionKey, partitionKey);
  headers.set(HTTP_HEADERS.sequenceNumber, record.sequenceNumber);
  if (record.subSequence !== undefined) headers.set(HTTP_HEADERS.subSequence, String(record.subSequence));
  return headers;
}

/**
 * Target adapter for an HTTP endpoint: one request per record to `destination` with the record data as body,
 * the configured method and headers, `content-type`, `idempotency-key` (always: harmless to a receiver that
 * ignores it, deduplication for one that honours it) and the record's position headers. Redirects are not
 * followed; each request has `http.timeoutMs`. The body of a failed response is read up to 64 KiB, only to
 * quote in the failure reason (a 2xx body is not read); no body or header value is logged. With `http.signing`,
 * each request carries `<header>: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (signing.ts), keyed
 * with the secret the provider fetches once per container and period; a secret that cannot be read fails the
 * record with the reason (retryable for throttling, permanent for access denied or not found).
 *
 * @throws {@link TargetDestinationError} for a destination that is not https (unless `allowInsecure`),
 * a configured header that is not a valid header, or a signing header the adapter sets itself.
 * @example
 * const adapter = createHttpAdapter({ target, clients, idempotency: 'native' });
 */
export function createHttpAdapter(context: AdapterContext, options: HttpAdapterOptions = {}): TargetAdapter {
  const { target } = context;
  const http = target.http ?? DEFAULT_OPTIONS;
  const url = destinationUrl(target, http.allowInsecure);
  const baseHeaders = configuredHeaders(target, http);
  const limit = pLimit(options.concurrency ?? HTTP_CONCURRENCY);
  const now = options.now ?? Date.now;
  const signing = http.signing;
  const secrets = signing
    ? (options.secrets ?? context.secrets ?? awsSecretProvider(context.clients))
    : undefined;

  const send = async (record: DeliveryRecord, signal?: AbortSignal): Promise<RecordOutcome> => {
    let headers: Headers;
    try {
      headers = recordHeaders(baseHeaders, record);
    } catch (error) {
      // This record's own headers cannot be written: it fails alone, the requests beside it go on.
      return failed(false, `HTTP request not sent: ${(error as Error).message}`);
    }
    if (signing && secrets) {
      try {
        const key = await secrets.get(signing.secret, signal);
        headers.set(signing.header, signatureHeader(key, record.data, Math.floor(now() / 1000)));
      } catch (error) {
        if (error instanceof SigningSecretError) return failed(error.retryable, error.message);
        return failed(
          true,
          `signing secret ${signing.secret}: ${(error as Error)?.message ?? String(error)}`,
        );
      }
    }
    // One budget for connect, TLS, request and response (an error body included): a hang anywhere ends here.
    const timeout = AbortSignal.timeout(http.timeoutMs);
    try {
      const response = await fetch(url, {
        method: http.method,
        headers,
        body: record.data,
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      if (response.ok) {
        // Delivered once the status says so: a body still streaming must not turn that into a retry.
        await response.body?.cancel().catch(() => undefined);
        return outcomeOfResponse(response.status, '');
      }
      const body = await readCappedText(response.body);
      const location = response.headers.get('location');
      return outcomeOfResponse(response.status, body, location === null ? null : redactUrl(location));
    } catch (error) {
      // The invocation's deadline (the caller's timeout signal), not this request's own timeout: say which.
      if (!timeout.aborted && (signal?.reason as Error | undefined)?.name === 'TimeoutError')
        return failed(true, "HTTP request stopped at the invocation's deadline (its outcome is unknown)");
      return outcomeOfRequestError(error, http.timeoutMs);
    }
  };

  return {
    type: 'http',
    limits: HTTP_LIMITS,
    sizeOf: (record) => record.data.length,
    deliver: (records, signal) => Promise.all(records.map((record) => limit(() => send(record, signal)))),
  };
}
