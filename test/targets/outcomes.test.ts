import { describe, expect, it } from 'vitest';
import {
  deliverAccepted,
  deliverCall,
  entryFailure,
  failAll,
  failed,
  outcomesByEntryId,
  outcomesInOrder,
  withIndexIds,
} from '../../lib/targets/outcomes.js';
import { awsError } from './factories.js';

describe('record outcomes', () => {
  it('classifies an entry error code like a thrown error of that name', () => {
    expect(entryFailure('Api', 'ThrottlingException', 'slow')).toEqual({
      ok: false,
      retryable: true,
      reason: 'Api ThrottlingException: slow',
    });
    expect(entryFailure('Api', 'ValidationException', undefined)).toEqual({
      ok: false,
      retryable: false,
      reason: 'Api ValidationException: no message',
    });
    expect(entryFailure('Api', 'Odd', 'x', new Set(['Odd']))).toMatchObject({ retryable: true });
  });

  it('fails every record of a call with the classified error', () => {
    expect(failAll(2, 'Api', awsError('ServiceUnavailable', 'down', 503))).toEqual([
      { ok: false, retryable: true, reason: 'Api: ServiceUnavailable: down' },
      { ok: false, retryable: true, reason: 'Api: ServiceUnavailable: down' },
    ]);
  });

  it('merges refused records with the outcomes of the sent ones, in order', async () => {
    const sent: string[][] = [];
    const outcomes = await deliverAccepted(
      [{ entry: 'a' }, { refused: failed(false, 'no') }, { entry: 'c' }],
      async (entries) => {
        sent.push(entries);
        return [{ ok: true }, failed(true, 'later')];
      },
    );

    expect(sent).toEqual([['a', 'c']]);
    expect(outcomes).toEqual([{ ok: true }, failed(false, 'no'), failed(true, 'later')]);
  });

  it('never reports a record as delivered when the response does not mention it', () => {
    const outcomes = outcomesByEntryId('Api', 3, [{ Id: '0' }, { Id: '7' }], [{ Id: 'x', Code: 'Bad' }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false]);
    expect(outcomes[2]).toEqual({
      ok: false,
      retryable: true,
      reason: 'Api returned no result for this record',
    });
  });

  it('reads a call that answered, and fails every sent entry of a call that threw, never the refused ones', async () => {
    const prepared = [{ entry: 'a' }, { refused: failed(false, 'no') }, { entry: 'c' }];
    const answered = await deliverCall(
      prepared,
      'Api',
      async (entries) => entries.length,
      (count, entries) => entries.map(() => failed(true, `of ${count}`)),
    );
    expect(answered).toEqual([failed(true, 'of 2'), failed(false, 'no'), failed(true, 'of 2')]);

    const threw = await deliverCall(
      prepared,
      'Api',
      async () => {
        throw awsError('ThrottlingException', 'slow down');
      },
      () => [],
    );
    expect(threw).toEqual([
      failed(true, 'Api: ThrottlingException: slow down'),
      failed(false, 'no'),
      failed(true, 'Api: ThrottlingException: slow down'),
    ]);
  });

  it('reads in-order results: an error code, a written id, or nothing (missing, retryable)', () => {
    const outcomes = outcomesInOrder(
      'Api',
      4,
      [{ Id: 'w1' }, { ErrorCode: 'InternalException', ErrorMessage: 'oops' }, {}],
      (r: { Id?: string }) => r.Id,
      new Set(['InternalException']),
    );
    expect(outcomes).toEqual([
      { ok: true },
      failed(true, 'Api InternalException: oops'),
      failed(true, 'Api returned no result for this record'),
      failed(true, 'Api returned no result for this record'),
    ]);
    expect(outcomesInOrder('Api', 1, undefined, () => 'id')).toEqual([
      failed(true, 'Api returned no result for this record'),
    ]);
  });

  it('gives batch entries their index as Id, which outcomesByEntryId reads back', () => {
    expect(withIndexIds([{ Body: 'a' }, { Body: 'b' }])).toEqual([
      { Body: 'a', Id: '0' },
      { Body: 'b', Id: '1' },
    ]);
  });
});
