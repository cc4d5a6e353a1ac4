import type { ClientPool } from '../aws/clients.js';
import type { IdempotencyMode, TargetConfig, TargetType } from '../config/index.js';
import type { SecretProvider } from './signing.js';

/** A record on its way to a destination, decoded from an envelope. */
export interface DeliveryRecord {
  /** Idempotency key: target + record id (stream, shard, sequence, sub-sequence). Stable across retries and replays. */
  key: string;
  partitionKey: string;
  sequenceNumber: string;
  subSequence?: number;
  /** Approximate arrival time in the source stream, epoch milliseconds. */
  arrivedAt: number;
  /** Record data, decoded from base64 once. */
  data: Buffer;
}

/** What happened to one record of a call. A partial failure is never dropped: every record gets one. */
export type RecordOutcome =
  | { ok: true }
  | {
      ok: false;
      /** Worth another attempt (throttling, 5xx, network); false for errors that retrying cannot fix. */
      retryable: boolean;
      /** Why, for logs and the DLQ record. */
      reason: string;
    };

/**
 * Declared limits of a destination API. The worker's generic packer ({@link chunkBySize}) fills calls up to
 * them, and refuses (as a permanent failure, with the reason) a record that exceeds `maxRecordBytes`.
 */
export interface TargetLimits {
  /** Records per call (e.g. PutRecords 500, SendMessageBatch 10). */
  maxRecords: number;
  /** Bytes per call, as the destination counts them (sum of {@link TargetAdapter.sizeOf}). */
  maxBytes: number;
  /** Bytes of one record, as {@link TargetAdapter.sizeOf} counts it. */
  maxRecordBytes: number;
  /** Calls of one worker invocation in flight at once (1 keeps per-partition-key order). */
  parallelCalls: number;
}

/** One adapter per destination type; a registry maps `type` to its factory. */
export interface TargetAdapter {
  readonly type: TargetType;
  readonly limits: TargetLimits;
  /** Bytes a record costs against the limits (data plus whatever the API counts: partition key, attributes). */
  sizeOf(record: DeliveryRecord): number;
  /**
   * Delivers one call's worth of records (within the limits) and returns one outcome per record, in order.
   * May throw for a failure of the whole call; the worker then treats every record as failed with that error.
   */
  deliver(records: readonly DeliveryRecord[], signal?: AbortSignal): Promise<RecordOutcome[]>;
}

export interface AdapterContext {
  target: TargetConfig;
  clients: ClientPool;
  /** Resolved idempotency mode; `native` asks the adapter to pass the key to the destination (dedup id, header). */
  idempotency: IdempotencyMode;
  /** Signing secrets of http targets with `http.signing` (the worker passes one per container). */
  secrets?: SecretProvider;
}

export type AdapterFactory = (context: AdapterContext) => TargetAdapter;
