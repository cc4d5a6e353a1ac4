/**
 * The poison-records fault's own logic: where the hostile records go, what they look like, which target can
 * take which, and how the audit counts one that sits in a DLQ with its reason.
 */
import { describe, expect, it } from 'vitest';
import { auditTarget } from '../../harness/chaos/audit.js';
import {
  chaosInput,
  POISON_KINDS,
  type PoisonExpectation,
  poisonExpectation,
  poisonPlan,
} from '../../harness/chaos/poison.js';
import { chaosRecord, recordIndexOf } from '../../harness/chaos/records.js';
import { REDRIVEN_ERROR } from '../../lib/operate/replay/classify.js';

const noWindows = { diedAfterDelivery: new Map(), answerLost: new Map(), storeOutage: new Map() };

describe('poison records', () => {
  it('places one record of each kind in every block of 500, the same for the same seed', () => {
    const plan = poisonPlan(7, 2_000);
    expect(plan).toEqual(poisonPlan(7, 2_000));
    expect(plan.size).toBe(4 * POISON_KINDS.length);
    for (let block = 0; block < 4; block++) {
      const kinds = [...plan].filter(([i]) => Math.floor(i / 500) === block).map(([, kind]) => kind);
      expect(kinds.sort()).toEqual([...POISON_KINDS].sort());
    }
    expect(poisonPlan(8, 2_000)).not.toEqual(plan);
  });

  it('gives each kind its hostile key or data, and keeps the record index readable', () => {
    expect(chaosInput(3, 'nonchar-ffff').partitionKey).toBe('pk-3-\uFFFF');
    expect(chaosInput(3, 'lone-high-surrogate').partitionKey).toBe('pk-3-\uD800');
    expect(chaosInput(3, 'oversize').data.length).toBeGreaterThan(1_000_000 * 0.75);
    for (const kind of POISON_KINDS) expect(recordIndexOf(chaosInput(3, kind).data), kind).toBe(3);
    expect(chaosInput(3, undefined)).toEqual({ data: chaosRecord(3), partitionKey: 'pk-3' });
    // Plain records spread over 16 keys by default, over --keys when given; a poison key stays the record's own.
    expect(chaosInput(19, undefined).partitionKey).toBe('pk-3');
    expect(chaosInput(19, undefined, 1024).partitionKey).toBe('pk-19');
    expect(chaosInput(1043, undefined, 1024).partitionKey).toBe('pk-19');
    expect(chaosInput(1043, 'nonchar-fffe', 1024).partitionKey).toBe('pk-1043-\uFFFE');
  });

  it('expects a DLQ only where the target cannot take the record: a lone surrogate at http, not JSON at a transform', () => {
    const outcomes = (target: { type: string; transform?: unknown }) =>
      Object.fromEntries(POISON_KINDS.map((kind) => [kind, poisonExpectation(kind, target).outcome]));
    expect(outcomes({ type: 'kinesis' })).toEqual(
      Object.fromEntries(POISON_KINDS.map((k) => [k, 'delivered'])),
    );
    expect(outcomes({ type: 'http' })).toMatchObject({
      'lone-high-surrogate': 'dlq',
      'lone-low-surrogate': 'dlq',
      'not-json': 'delivered',
      'nonchar-ffff': 'delivered',
      emoji: 'delivered',
      oversize: 'delivered',
    });
    expect(outcomes({ type: 'kinesis', transform: {} })).toMatchObject({
      'not-json': 'dlq',
      'lone-high-surrogate': 'delivered',
    });
  });

  it('counts a record the target cannot take as in the DLQ only when it is there with its reason', () => {
    const dlq: PoisonExpectation = { outcome: 'dlq', reason: 'partition key is not well-formed Unicode' };
    const audit = auditTarget({
      target: 'hook',
      kind: 'http/invoke',
      records: 5,
      arrived: [0, 1].map((i) => ({ data: chaosRecord(i), at: 1_000 + i })),
      indexOf: recordIndexOf,
      attribution: noWindows,
      inDlq: 2,
      order: { ordered: false, partitionKeyOf: () => 'k', positions: [], replayStartedAt: undefined },
      poison: new Map<number, PoisonExpectation>([
        [2, dlq],
        [3, dlq],
        [4, dlq],
      ]),
      dlqRecords: new Map([
        [
          2,
          {
            reason:
              'DeliveryError: 1 record(s) not delivered: ... the partition key is not well-formed Unicode ...',
          },
        ],
        [3, { reason: REDRIVEN_ERROR }],
        // There, but for another reason: it does not count.
        [4, { reason: 'DeliveryError: HTTP 500' }],
      ]),
    });
    expect(audit).toMatchObject({ delivered: 2, poison: 3, poisonInDlq: 2, missing: 1 });
    expect(audit.examples.missing).toEqual([4]);
  });
});
