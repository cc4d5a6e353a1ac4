/**
 * How Lambda reads a stream or queue batch's result when the mapping has `ReportBatchItemFailures`
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html):
 * complete success for a null or empty response or `batchItemFailures`; complete failure for a function
 * error, or an `itemIdentifier` that is missing, empty, or not one of the batch's; otherwise the listed items.
 */

import type { InvokeOutcome } from './types.js';

export type BatchResult =
  | { kind: 'success' }
  /** The identifiers that failed, in the batch's order. */
  | { kind: 'partial'; failed: string[] }
  | { kind: 'failure'; reason: string; functionError: boolean };

export function interpretBatchResult(
  outcome: InvokeOutcome,
  ids: readonly string[],
  reportBatchItemFailures: boolean,
): BatchResult {
  if (!outcome.ok) {
    return {
      kind: 'failure',
      reason: `${outcome.error.errorType}: ${outcome.error.errorMessage}`,
      functionError: true,
    };
  }
  if (!reportBatchItemFailures) return { kind: 'success' };
  let response: unknown;
  try {
    response = JSON.parse(outcome.payload);
  } catch {
    return { kind: 'success' };
  }
  if (response === null || typeof response !== 'object') return { kind: 'success' };
  const items = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return { kind: 'success' };
  if (!Array.isArray(items)) return invalid('batchItemFailures is not a list');
  const known = new Set(ids);
  const failed = new Set<string>();
  for (const item of items) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '')
      return invalid(`itemIdentifier ${JSON.stringify(id)} is empty or not a string`);
    if (!known.has(id)) return invalid(`itemIdentifier "${id}" is not in the batch`);
    failed.add(id);
  }
  if (failed.size === 0) return { kind: 'success' };
  return { kind: 'partial', failed: ids.filter((id) => failed.has(id)) };
}

function invalid(reason: string): BatchResult {
  return { kind: 'failure', reason: `invalid batch response: ${reason}`, functionError: false };
}
