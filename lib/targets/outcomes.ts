import { classifyError } from '../aws/retry.js';
import type { RecordOutcome } from './types.js';

/** Outcome of a record the destination accepted. */
export const delivered = (): RecordOutcome => ({ ok: true });

/** Outcome of a record the destination did not take. */
export const failed = (retryable: boolean, reason: string): RecordOutcome => ({
  ok: false,
  retryable,
  reason,
});

/** Every record of a call failed with the same thrown error (the call itself failed: throttled, denied, network). */
export function failAll(count: number, api: string, error: unknown): RecordOutcome[] {
  const { retryable, reason } = classifyError(error);
  return Array.from({ length: count }, () => failed(retryable, `${api}: ${reason}`));
}

/**
 * Outcome of one entry a batch API reported as failed (Kinesis `ErrorCode`, SQS `Failed[].Code`, ...).
 * The code is classified like a thrown error of that name; `alsoRetryable` adds codes of one API that
 * {@link classifyError} does not know.
 */
export function entryFailure(
  api: string,
  code: string,
  message: string | undefined,
  alsoRetryable: ReadonlySet<string> = new Set(),
): RecordOutcome {
  const retryable = classifyError({ name: code, message }).retryable || alsoRetryable.has(code);
  return failed(retryable, `${api} ${code}: ${message ?? 'no message'}`);
}

/**
 * A response without a result for a record. Should not happen; retryable, because the record may or may not
 * have been written, and dropping it silently is the one thing an adapter must never do.
 */
export const missingResult = (api: string): RecordOutcome =>
  failed(true, `${api} returned no result for this record`);

/** A record refused before the call, or the entry to send for it. */
export type Prepared<E> = { entry: E } | { refused: RecordOutcome };

/**
 * A record's entry, built on its own: whatever makes one record's encoding throw (a partition key that cannot
 * be URI-encoded, an arrival time no Date can hold) fails that record alone, permanently (the same record
 * fails the same way every time) and with the reason, instead of the whole call. `build` may also refuse a
 * record the destination would refuse, where the destination refuses the whole call for one bad record
 * (Kinesis PutRecords answers ValidationException for one partition key out of bounds).
 */
export function prepareEach<R, E>(
  records: readonly R[],
  api: string,
  build: (record: R) => Prepared<E>,
): Prepared<E>[] {
  return records.map((record) => {
    try {
      return build(record);
    } catch (error) {
      return { refused: failed(false, `${api}: this record cannot be encoded: ${describeError(error)}`) };
    }
  });
}

/** A refusal of one record before the call: permanent, with the reason. */
export const refuse = (api: string, reason: string): { refused: RecordOutcome } => ({
  refused: failed(false, `${api}: ${reason}`),
});

/**
 * `sizeOf` of an adapter that never throws: a record whose size cannot be computed counts 0, so it goes into a
 * call, where {@link prepareEach} fails it alone with the reason (a throw here would fail the whole envelope).
 */
export function sizeOrZero<R>(sizeOf: (record: R) => number): (record: R) => number {
  return (record) => {
    try {
      return sizeOf(record);
    } catch {
      return 0;
    }
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Sends the entries of the records that passed a pre-check in one call and merges their outcomes with the
 * refused records', in the records' order. Makes no call when every record was refused.
 */
export async function deliverAccepted<E>(
  prepared: readonly Prepared<E>[],
  send: (entries: E[]) => Promise<RecordOutcome[]>,
): Promise<RecordOutcome[]> {
  const entries: E[] = [];
  for (const p of prepared) if ('entry' in p) entries.push(p.entry);
  const sent = entries.length > 0 ? await send(entries) : [];
  let next = 0;
  return prepared.map((p) => ('refused' in p ? p.refused : (sent[next++] ?? missingResult('call'))));
}

/**
 * One call of a batch API for the records that passed their pre-check ({@link prepareEach}): a call that throws
 * (throttled, denied, network) fails each of its entries with the classified error, prefixed by `api`; otherwise
 * `read` turns the response into one outcome per entry. Makes no call when every record was refused.
 */
export function deliverCall<E, R>(
  prepared: readonly Prepared<E>[],
  api: string,
  call: (entries: E[]) => Promise<R>,
  read: (response: R, entries: E[]) => RecordOutcome[],
): Promise<RecordOutcome[]> {
  return deliverAccepted(prepared, async (entries) => {
    let response: R;
    try {
      response = await call(entries);
    } catch (error) {
      return failAll(entries.length, api, error);
    }
    return read(response, entries);
  });
}

/** The result of one entry of a batch API that answers in the entries' order. */
export interface EntryResult {
  ErrorCode?: string | undefined;
  ErrorMessage?: string | undefined;
}

/**
 * Outcomes of a batch API that answers one result per entry, in the entries' order (Kinesis PutRecords, Firehose
 * PutRecordBatch, EventBridge PutEvents): the entry's error code when it has one ({@link entryFailure}), delivered
 * when it names what was written (`writtenId`: a sequence number, a record id, an event id), else missing.
 */
export function outcomesInOrder<T extends EntryResult>(
  api: string,
  count: number,
  results: readonly T[] | undefined,
  writtenId: (result: T) => string | undefined,
  alsoRetryable?: ReadonlySet<string>,
): RecordOutcome[] {
  return Array.from({ length: count }, (_, i) => {
    const result = results?.[i];
    if (!result) return missingResult(api);
    if (result.ErrorCode) return entryFailure(api, result.ErrorCode, result.ErrorMessage, alsoRetryable);
    return writtenId(result) ? delivered() : missingResult(api);
  });
}

/**
 * The entries with their index as `Id`: an SQS or SNS batch Id must be unique in the call and match
 * [A-Za-z0-9_-]{1,80}, and the index is both; {@link outcomesByEntryId} reads the outcomes back by it.
 */
export function withIndexIds<E>(entries: readonly E[]): Array<E & { Id: string }> {
  return entries.map((entry, i) => ({ ...entry, Id: String(i) }));
}

/** Shape of a failed entry of SQS SendMessageBatch and SNS PublishBatch. */
export interface BatchEntryFailure {
  Id?: string;
  Code?: string;
  Message?: string;
  SenderFault?: boolean;
}

/**
 * Outcomes of an SQS/SNS batch whose entry Ids are the entries' indexes: `Failed[]` by Id (a fault on AWS's
 * side, `SenderFault: false`, is retryable), `Successful[]` by Id, anything in neither list retryable.
 */
export function outcomesByEntryId(
  api: string,
  count: number,
  successful: readonly { Id?: string }[] | undefined,
  failures: readonly BatchEntryFailure[] | undefined,
): RecordOutcome[] {
  const outcomes: (RecordOutcome | undefined)[] = new Array(count).fill(undefined);
  // An Id the call did not send (not one of its indexes) matches no record.
  const indexOf = (id: string | undefined): number | undefined =>
    id !== undefined && /^\d{1,3}$/.test(id) && Number(id) < count ? Number(id) : undefined;
  for (const s of successful ?? []) {
    const index = indexOf(s.Id);
    if (index !== undefined) outcomes[index] = delivered();
  }
  for (const f of failures ?? []) {
    const index = indexOf(f.Id);
    if (index === undefined) continue;
    const code = f.Code ?? 'UnknownError';
    const retryable = !f.SenderFault || classifyError({ name: code }).retryable;
    outcomes[index] = failed(retryable, `${api} ${code}: ${f.Message ?? 'no message'}`);
  }
  return outcomes.map((o) => o ?? missingResult(api));
}
