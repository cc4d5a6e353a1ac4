import { sequenceNumber } from '../../harness/support/factories.js';
import { type Envelope, encodeRecord, recordId } from '../../lib/envelope/index.js';
import {
  addLease,
  classify,
  dropFromLease,
  emptyPage,
  type LedgerPage,
  markDelivered,
  nextVersion,
} from '../../lib/ledger/page.js';
import type { Position } from '../../lib/ledger/position.js';
import {
  type IdempotencyLedger,
  type LedgerLease,
  type LedgerScope,
  newLedgerStats,
} from '../../lib/ledger/types.js';
import type { DeliveryRecord, RecordOutcome, TargetAdapter, TargetLimits } from '../../lib/targets/types.js';

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

/** A FakeAdapter whose calls wait until `open()`: an invocation holding its lease while another one runs. */
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

/**
 * An in-memory ledger with the DynamoDB one's contract, made of the same page logic (lib/ledger/page.ts) on one page
 * per scope: leases, deliveries, releases. `failSettle` makes recording deliveries fail.
 */
export function memoryLedger(now: () => number = Date.now): IdempotencyLedger & {
  /** Positions recorded as delivered, over every scope. */
  deliveredCount(): number;
  /** Positions held by live leases, over every scope. */
  leasedCount(): number;
  /** Ends of the live leases. */
  leases(): number[];
  /** Positions recorded as delivered for one delivery scope (a target, or `target>destination`). */
  deliveredTo(scope: string): number;
  /** Records positions as delivered, as an earlier invocation would have. */
  recordDelivered(scope: LedgerScope, positions: readonly Position[]): void;
  failSettle?: Error;
  settles: number;
} {
  const pages = new Map<string, LedgerPage>();
  let owners = 0;
  const pageOf = (scope: LedgerScope): LedgerPage => {
    const key = `${scope.scope}#${scope.stream}#${scope.shard}`;
    const page = nextVersion(pages.get(key) ?? emptyPage(''), now());
    pages.set(key, page);
    return page;
  };
  const ledger = {
    stats: newLedgerStats(),
    settles: 0,
    failSettle: undefined as Error | undefined,
    deliveredCount: () => [...pages.values()].reduce((n, p) => n + p.delivered.size, 0),
    deliveredTo: (scope: string) =>
      [...pages].filter(([key]) => key.startsWith(`${scope}#`)).reduce((n, [, p]) => n + p.delivered.size, 0),
    recordDelivered: (scope: LedgerScope, positions: readonly Position[]) =>
      markDelivered(pageOf(scope), 'earlier', positions),
    leases: () => [...pages.values()].flatMap((p) => [...p.leases.values()].map((l) => l.until)),
    leasedCount: () =>
      [...pages.values()].reduce(
        (n, p) =>
          n + [...p.leases.values()].filter((l) => l.until >= now()).reduce((m, l) => m + l.held.size, 0),
        0,
      ),
    async delivered(scope: LedgerScope, positions: readonly Position[]) {
      const page = pageOf(scope);
      return positions.filter((p) => page.delivered.has(p));
    },
    async lease(
      scope: LedgerScope,
      positions: readonly Position[],
      leaseUntil: number,
    ): Promise<LedgerLease> {
      const owner = `owner-${++owners}`;
      const c = classify(pageOf(scope), positions, owner, now());
      if (c.free.length > 0) addLease(pageOf(scope), owner, c.free, leaseUntil);
      return {
        owner,
        leased: c.free,
        delivered: c.delivered,
        busy: c.busy,
        settle: async (done) => {
          ledger.settles++;
          if (ledger.failSettle) throw ledger.failSettle;
          markDelivered(pageOf(scope), owner, done);
        },
        release: async () => dropFromLease(pageOf(scope), owner),
      };
    },
  };
  return ledger;
}
