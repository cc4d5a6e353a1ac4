/**
 * A batch from an ordered target's FIFO queue, delivered as one (docs/routing.md, "How it works"). A batch holds
 * up to 10 messages, of one message group or several, each an envelope of one dispatcher batch's records of its
 * group. Delivered one by one, each would cost its own lease, destination calls and settles: at 2,000 records/s
 * with 64 groups the kinesis workers cost 900 ms of CPU per 1,000 records, one at a time; as one, 204 (local
 * benchmark, docs/benchmarks.md). Their records
 * go as one envelope instead, in batch order (SQS hands a group's messages in order, so each key's records stay
 * in stream order), delivered in per-key waves like any ordered envelope.
 *
 * A message fails when one of its records failed or was held back behind a failed record of its key; the
 * others succeed. That keeps each key's order without failing a whole group: a later message of the group that
 * holds none of the failed keys cannot overtake anything of theirs, and SQS keeps the group's next messages
 * until the failed one is back and done.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { decodeEnvelope } from '../envelope/codec.js';
import { deliveryScope, idempotencyKey } from '../envelope/keys.js';
import type { Envelope } from '../envelope/types.js';
import type { DeliverySummary } from './deliver.js';
import { DeliveryError } from './errors.js';

/**
 * Messages whose envelopes can go as one: the same target and destination (discovered streams differ), and the
 * same source stream and shard, which an envelope names for all its records.
 */
function mergeable(
  messages: ReadonlyArray<{ record: SQSRecord; envelope: Envelope }>,
): Array<typeof messages> {
  const sets = new Map<string, Array<(typeof messages)[number]>>();
  for (const m of messages) {
    const key = `${deliveryScope(m.envelope)}\u0000${m.envelope.stream}\u0000${m.envelope.shard}`;
    const set = sets.get(key);
    if (set) set.push(m);
    else sets.set(key, [m]);
  }
  return [...sets.values()];
}

/**
 * Delivers a FIFO batch as one envelope per destination and shard. Returns the failed message ids for Lambda (every other
 * message is deleted); throws when the delivery failed as a whole (the store, a misrouted envelope), so that
 * every message comes back.
 */
export async function deliverFifoBatch(
  records: readonly SQSRecord[],
  deliver: (envelope: Envelope) => Promise<DeliverySummary>,
  /** Told why records were not delivered: their messages fail, and the reason would otherwise be lost here. */
  onFailure: (error: DeliveryError) => void = () => {},
): Promise<SQSBatchResponse> {
  const failed = new Set<string>();
  const decoded: Array<{ record: SQSRecord; envelope: Envelope }> = [];
  /** Groups behind a message that is not an envelope: their later messages wait for it (it might hold earlier records of their keys). */
  const blocked = new Set<string>();
  for (const record of records) {
    const group = record.attributes?.MessageGroupId ?? '';
    if (blocked.has(group)) {
      failed.add(record.messageId);
      continue;
    }
    try {
      decoded.push({ record, envelope: decodeEnvelope(record.body) });
    } catch {
      // It fails every time, until its last receive sends it to the DLQ with the reason (last-receive.ts).
      blocked.add(group);
      failed.add(record.messageId);
    }
  }
  for (const ready of mergeable(decoded)) {
    const [first] = ready;
    if (!first) continue;
    const merged: Envelope = { ...first.envelope, records: ready.flatMap((m) => m.envelope.records) };
    try {
      await deliver(merged);
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      onFailure(error);
      const keys = new Set(error.failures.map((f) => f.key));
      const scope = deliveryScope(first.envelope);
      for (const m of ready) {
        if (m.envelope.records.some((r) => keys.has(idempotencyKey(scope, r.id))))
          failed.add(m.record.messageId);
      }
    }
  }
  return {
    batchItemFailures: records
      .filter((r) => failed.has(r.messageId))
      .map((r) => ({ itemIdentifier: r.messageId })),
  };
}
