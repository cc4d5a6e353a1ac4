/**
 * The last receive of an ordered target's message (docs/routing.md, "A record that cannot be delivered"). SQS
 * moves a message to the DLQ after `maxReceiveCount` (retries + 1) receives and records no reason; the records
 * held back behind a failed one would go with it, while the key's later envelopes, once the group moves on, are
 * delivered: a gap in the key. So on the last receive the worker does it itself: the records that cannot be
 * delivered go to the target's FIFO DLQ with their reason, then the records held back behind them are
 * delivered, and the message succeeds. Order is kept up to a record that could not be delivered at all.
 */
import { createHash } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { decodeEnvelope, encodeEnvelope } from '../envelope/codec.js';
import { deliveryScope, idempotencyKey } from '../envelope/keys.js';
import type { Envelope } from '../envelope/types.js';
import type { DeliverySummary } from './deliver.js';
import { DeliveryError } from './errors.js';
import { isHeldBack } from './ordered.js';

/** A message for a target's DLQ: what could not be delivered, why, and its FIFO fields. */
export interface DeadLetter {
  body: string;
  /** Becomes the `ErrorMessage` message attribute, as a Lambda DLQ records it (`fanout replay` reads it). */
  reason: string;
  groupId: string;
  deduplicationId: string;
}

/** The target's DLQ, as the worker writes to it. */
export interface DeadLetterQueue {
  /** Throws when the message was not stored: the worker then fails, and SQS's redrive is the fallback. */
  send(message: DeadLetter): Promise<void>;
}

/** SQS message attributes hold 256 KiB with the body: a reason is cut well before it matters. */
const MAX_REASON_CHARS = 2_000;

/** Whether this is the message's last receive before SQS moves it to the DLQ (maxReceiveCount = retries + 1). */
export function isLastReceive(record: Pick<SQSRecord, 'attributes'>, retries: number): boolean {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isInteger(count) && count >= retries + 1;
}

const reasonOf = (error: unknown): string =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_REASON_CHARS);

/**
 * Delivers a message's envelope on its last receive: each record that fails goes to the DLQ (with the reason)
 * before the records of its key held back behind it are tried, round after round, until nothing is left.
 * Returns the delivery summary (the message succeeds); throws only when a DLQ message could not be sent.
 */
export async function deliverOnLastReceive(
  record: Pick<SQSRecord, 'body' | 'messageId' | 'attributes'>,
  deps: {
    target: string;
    deliver: (envelope: Envelope) => Promise<DeliverySummary>;
    deadLetters: DeadLetterQueue;
  },
): Promise<DeliverySummary> {
  const summary: DeliverySummary = { target: deps.target, records: 0, delivered: 0, skipped: 0 };
  let round = 0;
  const deadLetter = (body: string, reason: string): Promise<void> =>
    deps.deadLetters.send({
      body,
      reason: reason.slice(0, MAX_REASON_CHARS),
      // Its own group: the DLQ needs one, and replay puts each envelope back in the group of its keys.
      groupId: record.attributes?.MessageGroupId ?? 'dead-letters',
      deduplicationId: createHash('sha256').update(`${record.messageId}\u0000${round++}`).digest('base64url'),
    });

  let pending: Envelope;
  try {
    pending = decodeEnvelope(record.body);
  } catch (error) {
    await deadLetter(record.body, reasonOf(error));
    return summary;
  }
  summary.records = pending.records.length;
  while (pending.records.length > 0) {
    try {
      const done = await deps.deliver(pending);
      summary.delivered += done.delivered;
      summary.skipped += done.skipped;
      return summary;
    } catch (error) {
      if (!(error instanceof DeliveryError)) {
        // The store, a misrouted envelope, ...: what is left goes to the DLQ whole, with the reason.
        await deadLetter(encodeEnvelope(pending), reasonOf(error));
        return summary;
      }
      summary.delivered += error.delivered;
      const held = new Set(error.failures.filter((f) => isHeldBack(f.reason)).map((f) => f.key));
      const failed = error.failures.filter((f) => !held.has(f.key));
      if (failed.length === 0) throw error;
      const scope = deliveryScope(pending);
      const keyOf = (r: Envelope['records'][number]): string => idempotencyKey(scope, r.id);
      const dead = new Set(failed.map((f) => f.key));
      await deadLetter(
        encodeEnvelope({ ...pending, records: pending.records.filter((r) => dead.has(keyOf(r))) }),
        reasonOf(new DeliveryError(deps.target, failed, error.delivered)),
      );
      pending = { ...pending, records: pending.records.filter((r) => held.has(keyOf(r))) };
    }
  }
  return summary;
}
