import { isUtf8 } from 'node:buffer';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { regionOf } from './destination.js';
import {
  deliverCall,
  failed,
  outcomesInOrder,
  type Prepared,
  prepareEach,
  refuse,
  sizeOrZero,
} from './outcomes.js';
import type { AdapterContext, DeliveryRecord, RecordOutcome, TargetAdapter, TargetLimits } from './types.js';

/**
 * PutEvents limits: 10 entries and 256 KiB per call, counted with AWS's entry-size formula.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export const EVENTBRIDGE_LIMITS: TargetLimits = Object.freeze({
  maxRecords: 10,
  maxBytes: 262_144,
  maxRecordBytes: 262_144,
  parallelCalls: 4,
});

export const DEFAULT_EVENT_SOURCE = 'kinesis-fanout';
export const DEFAULT_DETAIL_TYPE = 'kinesis-record';
export const NOT_A_JSON_OBJECT = 'record data is not a JSON object (EventBridge Detail must be one)';

/** Time counts 14 bytes in the entry-size formula, whatever its value. */
const TIME_BYTES = 14;
// PutEvents' own codes for a fault on AWS's side, beside the ones classifyError knows.
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['InternalException']);

/**
 * The record data as an EventBridge Detail: its text when it is UTF-8 JSON whose top level is an object;
 * undefined otherwise. The text is sent as is (not re-serialized), so the bytes stay the producer's.
 */
export function detailOf(record: DeliveryRecord): string | undefined {
  if (!isUtf8(record.data)) return undefined;
  const text = record.data.toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Target adapter for an EventBridge bus (`destination`: bus name or ARN). Each record becomes one event:
 * Source and DetailType from `target.eventbridge`, Detail = the record data (a JSON object, else the record
 * fails permanently before the call and the others still go), Time = the record's arrival in the stream.
 *
 * @example
 * const adapter = createEventBridgeAdapter({ target, clients, idempotency: 'store' });
 */
export function createEventBridgeAdapter(context: AdapterContext): TargetAdapter {
  const { destination, eventbridge } = context.target;
  const client = context.clients.get(EventBridgeClient, regionOf(destination));
  const source = eventbridge?.source ?? DEFAULT_EVENT_SOURCE;
  const detailType = eventbridge?.detailType ?? DEFAULT_DETAIL_TYPE;
  const fixedBytes = TIME_BYTES + Buffer.byteLength(source) + Buffer.byteLength(detailType);
  return {
    type: 'eventbridge',
    limits: EVENTBRIDGE_LIMITS,
    // Detail is the data itself, so its UTF-8 bytes are the data's bytes; no Resources are sent.
    sizeOf: sizeOrZero((record) => fixedBytes + record.data.length),
    async deliver(records, signal): Promise<RecordOutcome[]> {
      const prepared = prepareEach(records, 'PutEvents', (record): Prepared<PutEventsRequestEntry> => {
        const detail = detailOf(record);
        if (detail === undefined) return { refused: failed(false, NOT_A_JSON_OBJECT) };
        const time = new Date(record.arrivedAt);
        // The SDK writes Time with toISOString, which throws for a date out of range: the whole call would fail.
        if (Number.isNaN(time.getTime())) {
          return refuse('PutEvents', `the record's arrival time ${record.arrivedAt} is not a date (Time)`);
        }
        return {
          entry: {
            EventBusName: destination,
            Source: source,
            DetailType: detailType,
            Detail: detail,
            Time: time,
          },
        };
      });
      return deliverCall(
        prepared,
        'PutEvents',
        (entries) => client.send(new PutEventsCommand({ Entries: entries }), { abortSignal: signal }),
        (response, entries) =>
          outcomesInOrder('PutEvents', entries.length, response.Entries, (r) => r.EventId, RETRYABLE_CODES),
      );
    },
  };
}
