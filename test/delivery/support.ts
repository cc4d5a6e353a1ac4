import type { DeliveredKeyStore } from '../../lib/delivery/index.js';
import { type Envelope, encodeRecord, recordId } from '../../lib/envelope/index.js';
import type { DeliveryRecord, RecordOutcome, TargetAdapter, TargetLimits } from '../../lib/targets/types.js';
import { sequenceNumber } from '../support/factories.js';

/** An envelope of `count` records `{"log":"Record i"}` for `target`. */
export function envelopeFactory(count: number, target = 'output1', first = 0): Envelope {
  const records = Array.from({ length: count }, (_, k) => {
    const i = first + k;
    const seq = sequenceNumber(i);
    return {
      id: recordId('input', 'shardId-000000000000', seq),
      seq,
      pk: `key-${i % 3}`,
      at: 1_700_000_000_000 + i,
      d: Buffer.from(`{"log":"Record ${i}"}`).toString('base64'),
    };
  });
  // Round-trip so the test uses exactly what a worker would parse.
  return JSON.parse(
    JSON.stringify({
      v: 1,
      kind: 'kinesis-fanout/envelope',
      target,
      stream: 'input',
      shard: 'shardId-000000000000',
      sentAt: 1,
      records,
    }),
  ) as Envelope;
}

export const encodedEntries = (e: Envelope): string[] => e.records.map(encodeRecord);

/**
 * A destination double: records what it got and answers by a rule, so the worker's bookkeeping (not an SDK)
 * is what these tests exercise. Adapters' own SDK handling is tested in test/targets.
 */
export class FakeAdapter implements TargetAdapter {
  readonly type = 'kinesis' as const;
  readonly calls: DeliveryRecord[][] = [];
  readonly delivered: DeliveryRecord[] = [];
  constructor(
    readonly limits: TargetLimits = {
      maxRecords: 4,
      maxBytes: 10_000,
      maxRecordBytes: 1_000,
      parallelCalls: 1,
    },
    private readonly rule: (record: DeliveryRecord, attempt: number) => RecordOutcome = () => ({ ok: true }),
  ) {}
  readonly attempts = new Map<string, number>();
  sizeOf(record: DeliveryRecord): number {
    return record.data.length;
  }
  async deliver(records: readonly DeliveryRecord[]): Promise<RecordOutcome[]> {
    this.calls.push([...records]);
    return records.map((r) => {
      const attempt = (this.attempts.get(r.key) ?? 0) + 1;
      this.attempts.set(r.key, attempt);
      const outcome = this.rule(r, attempt);
      if (outcome.ok) this.delivered.push(r);
      return outcome;
    });
  }
}

/** A FakeAdapter whose calls wait until `open()`: an invocation holding its claims while another one runs. */
export function gatedAdapter(): { adapter: FakeAdapter; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const adapter = new FakeAdapter();
  const deliver = adapter.deliver.bind(adapter);
  adapter.deliver = async (records) => {
    await gate;
    return deliver(records);
  };
  return { adapter, open };
}

/** An in-memory key store with the same contract as the DynamoDB one: delivered keys, and claims with a lease. */
export function memoryKeyStore(
  now: () => number = Date.now,
): DeliveredKeyStore & { keys: Set<string>; claims: Map<string, number> } {
  const keys = new Set<string>();
  /** Claimed key -> lease end (epoch ms) and owner. */
  const claims = new Map<string, number>();
  const owners = new Map<string, string>();
  let claimCount = 0;
  const stats = { readCalls: 0, readItems: 0, writeCalls: 0, writeItems: 0, claimCalls: 0, claimItems: 0 };
  return {
    keys,
    claims,
    stats,
    async filterDelivered(asked) {
      stats.readCalls++;
      return new Set(asked.filter((k) => keys.has(k)));
    },
    async claim(asked, leaseUntil) {
      stats.claimCalls++;
      const owner = `owner-${++claimCount}`;
      const outcome = { owner, claimed: [] as string[], delivered: [] as string[], busy: [] as string[] };
      for (const k of new Set(asked)) {
        stats.claimItems++;
        if (keys.has(k)) outcome.delivered.push(k);
        else if ((claims.get(k) ?? 0) >= now()) outcome.busy.push(k);
        else {
          claims.set(k, leaseUntil);
          owners.set(k, owner);
          outcome.claimed.push(k);
        }
      }
      return outcome;
    },
    async markDelivered(done) {
      stats.writeCalls++;
      stats.writeItems += done.length;
      for (const k of done) {
        keys.add(k);
        claims.delete(k);
      }
    },
    async release(undone, owner) {
      stats.claimCalls++;
      for (const k of undone) if (owners.get(k) === owner) claims.delete(k);
    },
  };
}
