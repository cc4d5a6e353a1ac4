import type { SourceRecord } from './decode.js';
import type { CallUnit, QueueMessage } from './handoff-unit.js';
import { envelopeHeadOf, halves, mayBeContent, partDeduplicationId, subEnvelope } from './refusal.js';
import { addOutcome, fail, type UnitOutcome } from './unit-outcome.js';

/** A message or payload refused for good, with the service's code. */
export interface Refusal {
  records: SourceRecord[];
  reason: string;
  code: string | undefined;
  payload?: Uint8Array;
  message?: QueueMessage;
  /** Several messages refused together (a whole SendMessageBatch call). */
  messages?: QueueMessage[];
}

/**
 * Finds the records a refusal is about. A refusal of the destination itself (no such queue, access denied)
 * refuses them all: each is dead-lettered with the reason. Otherwise the refused call is split in halves, each
 * sent again (and split again if refused) until the refused parts are single records: log2(n) rounds, within
 * the invocation. Halves go one after the other, and once one fails (retryably) the next is held back, so an
 * ordered target's message group keeps its order.
 */
export async function isolateRefused(
  unit: CallUnit,
  refusal: Refusal,
  outcome: UnitOutcome,
  run: (part: CallUnit) => Promise<UnitOutcome>,
): Promise<void> {
  const refuseAll = (): void => {
    for (const { records, payload } of refusedPayloads(unit, refusal)) {
      const dest = payload ? envelopeHeadOf(payload, records).dest : undefined;
      for (const record of records) {
        outcome.refused.push({ record, reason: refusal.reason, ...(dest === undefined ? {} : { dest }) });
      }
    }
  };
  if (!mayBeContent(refusal.code, refusal.reason)) return refuseAll();
  const parts = splitRefusal(unit, refusal);
  if (!parts) return refuseAll();
  let partFailed = false;
  for (const part of parts) {
    if (partFailed) {
      fail(
        outcome,
        partRecords(part),
        'held back behind a part of a refused envelope that could not be sent',
      );
      continue;
    }
    const result = await run(part);
    partFailed = result.failed.length > 0;
    addOutcome(outcome, result);
  }
}

/** The refused call as two smaller units; undefined when it cannot be split (a single record). */
function splitRefusal(unit: CallUnit, refusal: Refusal): [CallUnit, CallUnit] | undefined {
  if (refusal.messages && refusal.messages.length > 1 && unit.kind === 'queue') {
    const [a, b] = halves(refusal.messages);
    return [
      { ...unit, messages: a },
      { ...unit, messages: b },
    ];
  }
  if (refusal.records.length < 2) return undefined;
  const [first, second] = halves(refusal.records);
  if (unit.kind === 'invoke' && refusal.payload) {
    const payloads = [first, second].map((part) =>
      subEnvelope(refusal.payload as Uint8Array, refusal.records, part),
    );
    if (!payloads[0] || !payloads[1]) return undefined;
    return [
      { ...unit, payload: payloads[0], bytes: payloads[0].length, records: first },
      { ...unit, payload: payloads[1], bytes: payloads[1].length, records: second },
    ];
  }
  const message = refusal.message ?? refusal.messages?.[0];
  if (unit.kind !== 'queue' || !message) return undefined;
  const split = [first, second].map((part) => subMessage(message, part));
  if (!split[0] || !split[1]) return undefined;
  return [
    { ...unit, messages: [split[0]] },
    { ...unit, messages: [split[1]] },
  ];
}

function subMessage(message: QueueMessage, part: SourceRecord[]): QueueMessage | undefined {
  const body = subEnvelope(Buffer.from(message.body, 'utf8'), message.records, part);
  if (!body) return undefined;
  return {
    body: body.toString('utf8'),
    bytes: body.length,
    records: part,
    ...(message.group === undefined ? {} : { group: message.group }),
    ...(message.dedupId === undefined ? {} : { dedupId: partDeduplicationId(message.dedupId, part) }),
  };
}

const partRecords = (unit: CallUnit): SourceRecord[] =>
  unit.kind === 'invoke' ? unit.records : unit.messages.flatMap((m) => m.records);

/** The refused records with the envelope (or notice) that carried them. */
function refusedPayloads(
  unit: CallUnit,
  refusal: Refusal,
): Array<{ records: SourceRecord[]; payload: Uint8Array | undefined }> {
  // A DLQ notice is not an envelope: it names no destination to read back.
  const bodyOf = (m: QueueMessage): Uint8Array | undefined =>
    unit.kind === 'queue' && unit.purpose === 'dlq' ? undefined : Buffer.from(m.body, 'utf8');
  if (refusal.payload) return [{ records: refusal.records, payload: refusal.payload }];
  const messages = refusal.messages ?? (refusal.message ? [refusal.message] : []);
  if (messages.length === 0) return [{ records: refusal.records, payload: undefined }];
  return messages.map((m) => ({ records: m.records, payload: bodyOf(m) }));
}
