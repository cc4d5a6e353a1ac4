/**
 * The JSON records Lambda sends to an on-failure destination, built as pure functions.
 *
 * - Async invocations: the invocation record (`requestContext`, `requestPayload`, `responseContext`,
 *   `responsePayload`), https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 * - Kinesis event source mappings: metadata only (`KinesisBatchInfo`: shard and sequence range); the records
 *   must be read again from the stream, https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */

import { LATEST, UNHANDLED } from '../constants.js';
import type { FunctionErrorPayload } from '../types.js';

interface RequestContext {
  requestId: string;
  functionArn: string;
  condition: string;
  approximateInvokeCount: number;
}

interface ResponseContext {
  statusCode: number;
  executedVersion: string;
  functionError?: string;
}

export interface AsyncInvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: RequestContext;
  requestPayload: unknown;
  /** Absent when the function was never invoked (reserved concurrency 0). */
  responseContext?: ResponseContext;
  responsePayload?: FunctionErrorPayload;
}

export function asyncFailureRecord(input: {
  now: number;
  requestId: string;
  functionArn: string;
  condition: string;
  approximateInvokeCount: number;
  /** The event as it was invoked (JSON). */
  requestPayload: string;
  lastError?: FunctionErrorPayload;
}): AsyncInvocationRecord {
  const record: AsyncInvocationRecord = {
    version: '1.0',
    timestamp: new Date(input.now).toISOString(),
    requestContext: {
      requestId: input.requestId,
      // Async records name the version that ran: `...:function:name:$LATEST`.
      functionArn: `${input.functionArn}:${LATEST}`,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    requestPayload: parseOr(input.requestPayload),
  };
  if (input.lastError) {
    record.responseContext = { statusCode: 200, executedVersion: LATEST, functionError: UNHANDLED };
    record.responsePayload = input.lastError;
  }
  return record;
}

export interface KinesisBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  streamArn: string;
}

export interface StreamFailureRecord {
  requestContext: RequestContext;
  /** Absent when the batch was discarded without an invocation (it aged out first). */
  responseContext?: ResponseContext;
  version: '1.0';
  timestamp: string;
  KinesisBatchInfo: KinesisBatchInfo;
}

/** How the last invocation of a discarded batch ended. */
export type LastBatchResult = 'function-error' | 'partial-failure';

export function streamFailureRecord(input: {
  now: number;
  requestId: string;
  functionArn: string;
  condition: string;
  approximateInvokeCount: number;
  lastResult?: LastBatchResult;
  shardId: string;
  streamArn: string;
  /** The discarded records in shard order. */
  records: ReadonlyArray<{ sequenceNumber: string; arrivalMs: number }>;
}): StreamFailureRecord {
  const first = input.records[0];
  const last = input.records.at(-1);
  if (!first || !last) throw new RangeError('a stream failure record needs at least one record');
  const record: StreamFailureRecord = {
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    version: '1.0',
    timestamp: new Date(input.now).toISOString(),
    KinesisBatchInfo: {
      shardId: input.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
      batchSize: input.records.length,
      streamArn: input.streamArn,
    },
  };
  if (input.lastResult) {
    record.responseContext = {
      statusCode: 200,
      executedVersion: LATEST,
      ...(input.lastResult === 'function-error' ? { functionError: UNHANDLED } : {}),
    };
  }
  return record;
}

function parseOr(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}
