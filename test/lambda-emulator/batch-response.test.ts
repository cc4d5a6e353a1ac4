import { describe, expect, it } from 'vitest';
import { interpretBatchResult } from '../../lib/lambda-emulator/batch-response.js';
import type { InvokeOutcome } from '../../lib/lambda-emulator/types.js';

const ids = ['1', '2', '3'];
const ok = (payload: unknown): InvokeOutcome => ({
  ok: true,
  requestId: 'r',
  payload: JSON.stringify(payload),
  coldStart: false,
  durationMs: 1,
});

describe('batch item failure responses', () => {
  it('a function error fails the whole batch', () => {
    const outcome: InvokeOutcome = {
      ok: false,
      requestId: 'r',
      error: { errorType: 'Error', errorMessage: 'x' },
      coldStart: false,
      durationMs: 1,
    };
    expect(interpretBatchResult(outcome, ids, true)).toEqual({
      kind: 'failure',
      reason: 'Error: x',
      functionError: true,
    });
  });

  it.each([null, {}, { batchItemFailures: [] }, { batchItemFailures: null }, 'done', 42])(
    'treats %j as complete success',
    (response) => {
      expect(interpretBatchResult(ok(response), ids, true)).toEqual({ kind: 'success' });
    },
  );

  it('lists the failed identifiers in batch order', () => {
    const response = { batchItemFailures: [{ itemIdentifier: '3' }, { itemIdentifier: '2' }] };
    expect(interpretBatchResult(ok(response), ids, true)).toEqual({ kind: 'partial', failed: ['2', '3'] });
  });

  it.each([
    [{ batchItemFailures: [{ itemIdentifier: '' }] }],
    [{ batchItemFailures: [{ itemIdentifier: null }] }],
    [{ batchItemFailures: [{ id: '1' }] }],
    [{ batchItemFailures: [{ itemIdentifier: '9' }] }],
    [{ batchItemFailures: 'all' }],
  ])('treats %j as a failure of the whole batch', (response) => {
    expect(interpretBatchResult(ok(response), ids, true)).toMatchObject({
      kind: 'failure',
      functionError: false,
    });
  });

  it('ignores the response without ReportBatchItemFailures', () => {
    const response = { batchItemFailures: [{ itemIdentifier: '1' }] };
    expect(interpretBatchResult(ok(response), ids, false)).toEqual({ kind: 'success' });
  });
});
