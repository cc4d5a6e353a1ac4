import { defineError } from '../errors.js';

/** A record that could not be delivered, and why. */
export interface FailedRecord {
  key: string;
  sequenceNumber: string;
  retryable: boolean;
  reason: string;
}

/**
 * Some records of an envelope were not delivered. Thrown so that Lambda retries the envelope (async invoke) or
 * SQS makes the message visible again, and in the end puts it in the target's DLQ with this message as the
 * reason. Records already delivered are remembered and skipped on every retry and replay.
 */
export class DeliveryError extends defineError('DeliveryError', 'DELIVERY_INCOMPLETE') {
  constructor(
    readonly target: string,
    readonly failures: FailedRecord[],
    readonly delivered: number,
    options?: ErrorOptions,
  ) {
    const reasons = [...new Set(failures.map((f) => f.reason))];
    super(
      `${failures.length} record(s) not delivered to target "${target}" (${delivered} delivered): ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? `; and ${reasons.length - 3} other reason(s)` : ''}`,
      options,
    );
  }
}

/**
 * The idempotency store failed (after its own retries): the lease could not be taken, or records that were
 * delivered could not be recorded. The envelope comes back whole (async retry, or the queue message's return) and
 * finally sits in the DLQ with this message; the message says which, and how many records a retry may deliver
 * again.
 */
export class IdempotencyStoreError extends defineError('IdempotencyStoreError', 'IDEMPOTENCY_STORE_FAILED') {}

/** An envelope reached the worker of another target: a wiring error, never retried into the wrong destination. */
export class MisroutedEnvelopeError extends defineError('MisroutedEnvelopeError', 'ENVELOPE_MISROUTED') {}

/** The message of a thrown value, for a reason that names its cause. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
