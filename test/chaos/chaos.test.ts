/**
 * The chaos harness's own logic: seeded fault decisions, the SQS fault proxy, and the audit's attribution of
 * duplicates. The full run under every fault (`npm run chaos:check`, 2,000 records, seed 1) is not part of
 * `npm test`: on a busy 2-core machine it takes minutes, and a test must never be flaky (docs/chaos.md).
 */
import { describe, expect, it } from 'vitest';
import { auditTarget } from '../../lib/chaos/audit.js';
import { sqsFaults } from '../../lib/chaos/aws-faults.js';
import type { Attribution } from '../../lib/chaos/log.js';
import { seededRandom } from '../../lib/chaos/prng.js';
import { chaosRecord, recordIndexOf } from '../../lib/chaos/records.js';

const attribution = (over: Partial<Attribution> = {}): Attribution => ({
  diedAfterDelivery: new Map(),
  answerLost: new Map(),
  storeOutage: new Map(),
  ...over,
});

const audit = (arrived: number[], over: Partial<Attribution> = {}) =>
  auditTarget({
    target: 't',
    kind: 'http/invoke',
    records: 4,
    arrived: arrived.map(chaosRecord),
    indexOf: recordIndexOf,
    attribution: attribution(over),
    inDlq: 0,
  });

describe('chaos', () => {
  it('same seed, same fault decisions', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
    expect(recordIndexOf(Buffer.from('{"chaos":42}'))).toBe(42);
  });

  it('fails SendMessageBatch entries in Failed[] and forwards only the others', async () => {
    const forwarded: string[] = [];
    const handler = sqsFaults({ random: () => 0.5, throttleRate: () => 0, entryFailureRate: () => 0.6 });
    const answer = await handler(
      {
        method: 'POST',
        url: '/',
        headers: {},
        operation: 'AmazonSQS.SendMessageBatch',
        body: Buffer.from(JSON.stringify({ QueueUrl: 'q', Entries: [{ Id: '0' }, { Id: '1' }] })),
      },
      async (req) => {
        forwarded.push(req.body.toString());
        return { status: 200, headers: {}, body: Buffer.from('{"Successful":[]}') };
      },
    );
    expect(forwarded).toEqual([]);
    expect(JSON.parse(answer.body.toString()).Failed).toHaveLength(2);
  });

  it('counts missing records and duplicates no window explains', () => {
    const report = audit([0, 1, 1, 2]);
    expect(report).toMatchObject({ delivered: 3, missing: 1, duplicated: 1, unexplainedDuplicates: 1 });
    expect(report.examples).toEqual({ missing: [3], unexplained: [1] });
  });

  it('lets each window explain one extra delivery of a record, no more', () => {
    const report = audit([0, 0, 0, 1, 1, 2, 2, 3], {
      diedAfterDelivery: new Map([['t', new Map([[0, 1]])]]),
      answerLost: new Map([['t', new Set([1])]]),
      storeOutage: new Map([['t', new Set([2])]]),
    });
    expect(report).toMatchObject({
      missing: 0,
      duplicated: 4,
      crashDuplicates: 1,
      answerLostDuplicates: 1,
      storeDuplicates: 1,
      unexplainedDuplicates: 1,
    });
    expect(report.examples.unexplained).toEqual([0]);
  });
});
