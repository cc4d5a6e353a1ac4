/**
 * What a message in a target's DLQ is. Four formats land there:
 * - Lambda's on-failure destination record of a `via: invoke` worker: the envelope is its `requestPayload`,
 *   the reason its `responsePayload` (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html);
 * - a plain envelope, redriven from a `via: queue` target's queue by its RedrivePolicy (SQS records no reason;
 *   a Lambda DLQ, unlike a destination, would add `ErrorMessage` as a message attribute);
 * - the dispatcher's notice of a record too large to hand off, or of a record whose hand-off was refused for good
 *   (its position: the data is read again from the stream, or from its claim-check object);
 * - anything else, which is never replayed nor deleted.
 */
import { decodeEnvelope } from '../../envelope/codec.js';
import {
  ENVELOPE_KIND,
  type Envelope,
  OVERSIZE_KIND,
  type OversizeNotice,
  REFUSED_KIND,
  type RefusedNotice,
} from '../../envelope/types.js';

/** A DLQ message as read from SQS. */
export interface DlqMessage {
  messageId: string;
  body: string;
  /** System attributes (`SentTimestamp`, ...). */
  attributes?: Record<string, string>;
  /** String message attributes (a Lambda DLQ's `ErrorMessage`, ...). */
  messageAttributes?: Record<string, string>;
}

interface Common {
  /** Why it failed, as the replay groups and filters messages (`--filter`). */
  error: string;
  /** When it failed (destination record) or was first queued, epoch ms; for `--older-than`/`--newer-than`. */
  failedAt?: number;
}

export type DlqEntry =
  | (Common & {
      kind: 'envelope';
      format: 'destination-record' | 'envelope';
      envelope: Envelope;
    })
  | (Common & { kind: 'oversize'; notice: OversizeNotice })
  | (Common & { kind: 'refused'; notice: RefusedNotice })
  | (Common & { kind: 'unparseable'; reason: string });

/** Error of a redriven envelope: SQS moves a message after maxReceiveCount receives and says nothing of why. */
export const REDRIVEN_ERROR = 'redriven from the target queue (SQS records no reason)';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Classifies one DLQ message of target `target`. Pure: never throws, whatever the body.
 *
 * @example
 * const entry = classifyDlqMessage({ messageId, body }, 'webhook');
 * if (entry.kind === 'envelope') replay(entry.envelope);
 */
export function classifyDlqMessage(message: DlqMessage, target: string): DlqEntry {
  const sentAt = Number(message.attributes?.SentTimestamp);
  const queuedAt = Number.isFinite(sentAt) && sentAt > 0 ? sentAt : undefined;
  const unparseable = (reason: string, failedAt = queuedAt): DlqEntry => ({
    kind: 'unparseable',
    reason,
    error: `unparseable: ${reason}`,
    ...(failedAt === undefined ? {} : { failedAt }),
  });

  let value: unknown;
  try {
    value = JSON.parse(message.body);
  } catch {
    return unparseable(`body is not JSON (${message.body.length} characters)`);
  }
  if (!isObject(value)) return unparseable('body is not a JSON object');

  if (isObject(value.requestContext) && 'requestPayload' in value) {
    const failedAt = Date.parse(String(value.timestamp ?? '')) || queuedAt;
    const payload = value.requestPayload;
    const envelope = envelopeOf(typeof payload === 'string' ? tryParse(payload) : payload, target);
    if (typeof envelope === 'string') return unparseable(`destination record: ${envelope}`, failedAt);
    return {
      kind: 'envelope',
      format: 'destination-record',
      envelope,
      error: destinationError(value),
      ...(failedAt === undefined ? {} : { failedAt }),
    };
  }

  if (value.kind === OVERSIZE_KIND || value.kind === REFUSED_KIND) {
    const notice = value as unknown as OversizeNotice | RefusedNotice;
    const what = notice.kind === OVERSIZE_KIND ? 'oversize' : 'refused-record';
    const record = notice.record as Partial<OversizeNotice['record']> | undefined;
    if (
      typeof notice.stream !== 'string' ||
      typeof notice.shard !== 'string' ||
      typeof record?.seq !== 'string' ||
      !/^\d+$/.test(record.seq) ||
      (record.sub !== undefined && !Number.isSafeInteger(record.sub))
    ) {
      return unparseable(`${what} notice without stream, shard and sequence number`);
    }
    if (notice.target !== target) return unparseable(`${what} notice for target "${notice.target}"`);
    const failedAt = queuedAt === undefined ? {} : { failedAt: queuedAt };
    return notice.kind === OVERSIZE_KIND
      ? { kind: 'oversize', notice, error: `oversize record: ${notice.reason}`, ...failedAt }
      : { kind: 'refused', notice, error: `hand-off refused: ${notice.reason}`, ...failedAt };
  }

  if (value.kind === ENVELOPE_KIND) {
    const envelope = envelopeOf(value, target);
    if (typeof envelope === 'string') return unparseable(envelope);
    const failedAt = queuedAt ?? envelope.sentAt;
    return {
      kind: 'envelope',
      format: 'envelope',
      envelope,
      error: message.messageAttributes?.ErrorMessage ?? REDRIVEN_ERROR,
      failedAt,
    };
  }
  return unparseable(
    'neither an envelope, a Lambda destination record nor a record notice (oversize or refused)',
  );
}

/** The envelope, or why it is not one this target's worker would take. */
function envelopeOf(value: unknown, target: string): Envelope | string {
  let envelope: Envelope;
  try {
    envelope = decodeEnvelope(value);
  } catch (error) {
    return (error as Error).message;
  }
  if (envelope.target !== target) return `envelope for target "${envelope.target}", not "${target}"`;
  if (envelope.records.length === 0) return 'envelope without records';
  return envelope;
}

/** `DeliveryError: 3 record(s) not delivered ...`, or the condition when the worker never ran. */
function destinationError(record: Json): string {
  const response = isObject(record.responsePayload) ? record.responsePayload : undefined;
  if (response && (response.errorType || response.errorMessage)) {
    return `${String(response.errorType ?? 'Error')}: ${String(response.errorMessage ?? '')}`.trim();
  }
  const condition = isObject(record.requestContext) ? String(record.requestContext.condition ?? '') : '';
  return `${condition || 'failed'} (no function error recorded)`;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Which messages a replay takes: `--filter` on the error, `--older-than` / `--newer-than` on the age. */
export interface Selection {
  filter?: RegExp;
  olderThanMs?: number;
  newerThanMs?: number;
}

/** Whether `entry` is selected at time `now`; a message of unknown age is not selected by an age bound. */
export function isSelected(entry: DlqEntry, selection: Selection, now: number): boolean {
  if (selection.filter && !selection.filter.test(entry.error)) return false;
  if (selection.olderThanMs === undefined && selection.newerThanMs === undefined) return true;
  if (entry.failedAt === undefined) return false;
  const age = now - entry.failedAt;
  if (selection.olderThanMs !== undefined && age < selection.olderThanMs) return false;
  if (selection.newerThanMs !== undefined && age > selection.newerThanMs) return false;
  return true;
}
