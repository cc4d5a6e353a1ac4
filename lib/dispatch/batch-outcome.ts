/** What a batch's dispatch reports: its decoding, its hand-offs, and the checkpoint Lambda gets back. */
import type { KinesisStreamBatchResponse } from 'aws-lambda';
import { compareSequenceNumbers } from '../envelope/keys.js';
import { METRICS, type Telemetry } from '../observability/telemetry.js';
import type { DecodedBatch, SourceRecord } from './decode.js';
import type { HandoffUnit } from './handoff-unit.js';
import type { UnitOutcome } from './unit-outcome.js';

/** Counts the batch's KPL aggregates, and warns of those that could not be split. */
export function reportDecoding(batch: DecodedBatch, telemetry: Telemetry): void {
  if (batch.aggregated > 0) telemetry.count(METRICS.aggregatedRecords, batch.aggregated);
  if (batch.corrupt.length === 0) return;
  telemetry.count(METRICS.aggregatedRecordsCorrupt, batch.corrupt.length);
  telemetry.warn(
    'KPL-aggregated record(s) could not be split: handed on whole, as plain records (as the KCL does)',
    {
      stream: batch.stream,
      records: batch.corrupt.slice(0, 3),
    },
  );
}

/** Counts each unit's calls, retries and hand-offs; returns the records whose hand-off failed. */
export function reportHandoffs(
  results: Array<{ unit: HandoffUnit; outcome: UnitOutcome }>,
  telemetry: Telemetry,
): SourceRecord[] {
  const failed: SourceRecord[] = [];
  for (const { unit, outcome } of results) {
    telemetry.count(METRICS.handoffCalls, outcome.calls, unit.target);
    if (outcome.calls > 1) telemetry.count(METRICS.handoffRetries, outcome.calls - 1, unit.target);
    if (outcome.handedOff > 0 && !(unit.kind === 'queue' && unit.purpose === 'dlq')) {
      telemetry.count(METRICS.recordsHandedOff, outcome.handedOff, unit.target);
      telemetry.count(METRICS.handoffBytes, outcome.bytes, unit.target);
    }
    if (outcome.failed.length > 0) {
      failed.push(...outcome.failed);
      telemetry.count(METRICS.handoffFailures, outcome.failed.length, unit.target);
      telemetry.error('hand-off failed', {
        target: unit.target,
        records: outcome.failed.length,
        reasons: outcome.reasons.slice(0, 3),
      });
    }
  }
  return failed;
}

/**
 * The answer to Lambda: nothing failed, or the one item at the LOWEST failed sequence number (Lambda checkpoints
 * there and sends everything after it again).
 */
export function checkpoint(
  failed: readonly SourceRecord[],
  stream: string,
  telemetry: Telemetry,
): KinesisStreamBatchResponse {
  if (failed.length === 0) return { batchItemFailures: [] };
  const lowest = failed.reduce((min, r) => (compareSequenceNumbers(r.seq, min.seq) < 0 ? r : min));
  telemetry.warn('hand-off incomplete: checkpointing at the lowest failed sequence number', {
    stream,
    shard: lowest.shard,
    sequenceNumber: lowest.seq,
    failedRecords: failed.length,
  });
  return { batchItemFailures: [{ itemIdentifier: lowest.seq }] };
}
