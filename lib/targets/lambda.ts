import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { regionOf } from './destination.js';
import { deliverCall, delivered, failed, prepareEach, sizeOrZero } from './outcomes.js';
import type { AdapterContext, DeliveryRecord, RecordOutcome, TargetAdapter, TargetLimits } from './types.js';

/** Synchronous Invoke request payload limit (6 MB). */
export const SYNC_INVOKE_PAYLOAD_LIMIT = 6_291_456;
/** `{"records":[]}`: the payload's bytes around its records. */
const PAYLOAD_FRAME = '{"records":[]}';

/**
 * Invoke limits: one payload of at most 6 MB. `sizeOf` counts a record's JSON including one separating comma,
 * so the sum of sizes never underestimates the payload. Four calls at a time: a function call is slow
 * compared with a batch API, and a function sees no order across calls anyway.
 */
export const LAMBDA_LIMITS: TargetLimits = Object.freeze({
  maxRecords: 10_000,
  maxBytes: SYNC_INVOKE_PAYLOAD_LIMIT - PAYLOAD_FRAME.length,
  maxRecordBytes: SYNC_INVOKE_PAYLOAD_LIMIT - PAYLOAD_FRAME.length,
  parallelCalls: 4,
});

/** A record as the target function receives it. */
export interface LambdaPayloadRecord {
  key: string;
  partitionKey: string;
  sequenceNumber: string;
  subSequence?: number;
  arrivedAt: number;
  /** Record data, base64. */
  data: string;
}

/** The target function's event: `{"records":[...]}`. */
export interface LambdaPayload {
  records: LambdaPayloadRecord[];
}

// A synchronous invoke lasts as long as the function (up to 15 minutes); the pool's 30 s socket timeout
// would cut a slow function off and cause a duplicate delivery on retry.
const INVOKE_TIMEOUT_MS = 900_000;

const recordJson = (record: DeliveryRecord, data: string): string =>
  JSON.stringify({
    key: record.key,
    partitionKey: record.partitionKey,
    sequenceNumber: record.sequenceNumber,
    subSequence: record.subSequence,
    arrivedAt: record.arrivedAt,
    data,
  } satisfies LambdaPayloadRecord);

/** Bytes of a record in the payload: its JSON with an empty `data`, the data's base64 length and one comma. */
export function lambdaRecordSize(record: DeliveryRecord): number {
  return Buffer.byteLength(recordJson(record, '')) + 4 * Math.ceil(record.data.length / 3) + 1;
}

/** One record's JSON in the payload. */
export const encodeLambdaRecord = (record: DeliveryRecord): string =>
  recordJson(record, record.data.toString('base64'));

/** Encodes the payload of one call; {@link lambdaRecordSize} counts exactly these bytes. */
export function encodeLambdaPayload(records: readonly DeliveryRecord[]): Uint8Array {
  return joinLambdaPayload(records.map(encodeLambdaRecord));
}

const joinLambdaPayload = (entries: readonly string[]): Uint8Array =>
  Buffer.from(`{"records":[${entries.join(',')}]}`);

/** The error message of a function error payload (`{"errorType","errorMessage",...}`), or its first characters. */
function functionErrorMessage(payload: Uint8Array | undefined): string {
  const text = payload ? Buffer.from(payload).toString('utf8') : '';
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 200);
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200) || 'no error payload';
}

/** What the function may return to fail some records: the Lambda partial-batch idiom, keyed by idempotency key. */
export interface LambdaPartialResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Keys the function reported as failed in a {@link LambdaPartialResponse}; `'all'` when an identifier is empty
 * (as for an event source mapping, the whole batch failed); undefined for any other response.
 */
export function reportedFailures(payload: Uint8Array | undefined): Set<string> | 'all' | undefined {
  const text = payload ? Buffer.from(payload).toString('utf8') : '';
  if (!text.includes('batchItemFailures')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const failures = (parsed as Partial<LambdaPartialResponse> | null)?.batchItemFailures;
  if (!Array.isArray(failures)) return undefined;
  const keys = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '') return 'all';
    keys.add(id);
  }
  return keys;
}

/**
 * Target adapter for a Lambda function (`destination`: name, ARN or partial ARN), invoked synchronously with
 * a {@link LambdaPayload}. A function error fails every record of the call, retryably, with the function's
 * error message; a thrown SDK error (throttled, too large, denied) is classified. A function that returns a
 * {@link LambdaPartialResponse} fails just the records it lists (retryably); any other result means all done.
 *
 * @example
 * const adapter = createLambdaAdapter({ target, clients, idempotency: 'store' });
 */
export function createLambdaAdapter(context: AdapterContext): TargetAdapter {
  const { destination } = context.target;
  const client = context.clients.get(LambdaClient, regionOf(destination));
  return {
    type: 'lambda',
    limits: LAMBDA_LIMITS,
    sizeOf: sizeOrZero(lambdaRecordSize),
    async deliver(records, signal): Promise<RecordOutcome[]> {
      const prepared = prepareEach(records, 'Invoke', (record) => ({
        entry: { record, json: encodeLambdaRecord(record) },
      }));
      return deliverCall(
        prepared,
        'Invoke',
        (entries) =>
          client.send(
            new InvokeCommand({
              FunctionName: destination,
              InvocationType: 'RequestResponse',
              Payload: joinLambdaPayload(entries.map((e) => e.json)),
            }),
            { abortSignal: signal, requestTimeout: INVOKE_TIMEOUT_MS },
          ),
        invokeOutcomes,
      );
    },
  };
}

/** Outcomes of an Invoke that answered: a function error fails every record, a partial response its own. */
function invokeOutcomes(
  response: InvokeCommandOutput,
  entries: { record: DeliveryRecord }[],
): RecordOutcome[] {
  if (response.FunctionError) {
    const reason = `Invoke: function error (${response.FunctionError}): ${functionErrorMessage(response.Payload)}`;
    return entries.map(() => failed(true, reason));
  }
  const reported = reportedFailures(response.Payload);
  if (reported === 'all') {
    return entries.map(() => failed(true, 'Invoke: the function reported the whole batch as failed'));
  }
  return entries.map(({ record }) =>
    reported?.has(record.key)
      ? failed(true, 'Invoke: the function reported this record as failed (batchItemFailures)')
      : delivered(),
  );
}
