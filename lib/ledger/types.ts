import type { Position } from './position.js';

/**
 * What a ledger is about: the records of one shard of one stream, for one delivery scope (a target, or a target and
 * one of its destinations for `discover`). Each has a ledger of its own.
 */
export interface LedgerScope {
  scope: string;
  stream: string;
  shard: string;
}

/**
 * An invocation's lease on an envelope's positions: what it may deliver (`leased`), what was delivered before
 * (`delivered`: skip it) and what another live invocation holds (`busy`: leave it for a retry, which then finds it
 * delivered or free).
 */
export interface LedgerLease {
  readonly owner: string;
  readonly leased: readonly Position[];
  readonly delivered: readonly Position[];
  readonly busy: readonly Position[];
  /**
   * Records `positions` (leased ones) as delivered, at once after each destination call: the window in which a
   * crash can deliver a record twice is that one call.
   */
  settle(positions: readonly Position[]): Promise<void>;
  /** Gives up what is still leased, so a retry need not wait for the lease to end. No write when nothing is left. */
  release(): Promise<void>;
}

/**
 * The idempotency ledger: which positions were delivered to a scope, and which an invocation is delivering now.
 * Its cost follows envelopes and destination calls, not records (docs/idempotency.md).
 */
export interface IdempotencyLedger {
  /**
   * Leases the positions neither delivered nor held by a live invocation, until `leaseUntil` (epoch ms: the end of
   * the leasing invocation; a lease left by a crash is free again after it).
   */
  lease(scope: LedgerScope, positions: readonly Position[], leaseUntil: number): Promise<LedgerLease>;
  /** The positions among `positions` that were delivered (a read: replay tooling and audits). */
  delivered(scope: LedgerScope, positions: readonly Position[]): Promise<Position[]>;
  /** What it cost so far, as DynamoDB bills it. */
  readonly stats: LedgerStats;
}

/** DynamoDB operations and capacity units, counted as billed (a refused conditional write is billed too). */
export interface LedgerStats {
  calls: number;
  /** Calls by API name (Query, PutItem, GetItem, TransactWriteItems). */
  byCommand: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** Conditional writes refused because another invocation wrote the page first (then read again and retried). */
  conflicts: number;
}

export function newLedgerStats(): LedgerStats {
  return { calls: 0, byCommand: {}, readUnits: 0, writeUnits: 0, conflicts: 0 };
}

/** For `idempotency: native | none`: no store at all; every position is leased, nothing is recorded. */
export function noLedger(): IdempotencyLedger {
  return {
    lease: async (_scope, positions) => ({
      owner: 'none',
      leased: [...positions],
      delivered: [],
      busy: [],
      settle: async () => {},
      release: async () => {},
    }),
    delivered: async () => [],
    stats: newLedgerStats(),
  };
}
