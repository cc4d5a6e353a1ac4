import pLimit from 'p-limit';
import { type RetryOptions, retryWithBackoff } from '../aws/retry.js';
import { ClaimCheckError } from '../claim-check/errors.js';
import type { ClaimCheckStore } from '../claim-check/types.js';
import type { FanoutConfig } from '../config/schema.js';
import { claimCheckKey } from '../envelope/keys.js';
import type { ClaimCheckPointer } from '../envelope/types.js';
import { METRICS, type Telemetry } from '../observability/telemetry.js';
import type { SourceRecord } from './decode.js';

/**
 * Room left for an envelope's head (version, kind, target, destination, stream and shard names, time): a record
 * whose entry fits the limit less this always fits an envelope of its own.
 */
export const ENVELOPE_HEAD_ROOM = 1_024;

/**
 * Entry bytes above which a record is claim-checked: the smallest hand-off limit among the enabled targets'
 * modes, less {@link ENVELOPE_HEAD_ROOM}. One number per container, so the per-record check is a comparison.
 */
export function claimCheckThreshold(config: FanoutConfig): number {
  const modes = new Set(config.targets.filter((t) => t.enabled).map((t) => t.via));
  const limits = [
    ...(modes.has('invoke') ? [config.dispatcher.invokePayloadLimit] : []),
    ...(modes.has('queue') ? [config.dispatcher.queueMessageLimit] : []),
  ];
  return Math.min(...limits) - ENVELOPE_HEAD_ROOM;
}

export interface ClaimCheckDeps {
  store: ClaimCheckStore;
  bucket: string;
  /** `<service>-<stage>`: first part of every object key, and what the IAM grants are scoped to. */
  prefix: string;
  threshold: number;
  /** PutObject calls in flight at once. */
  concurrency: number;
}

export interface ClaimCheckResult {
  /** The batch's records, claim-checked ones carrying a pointer entry; records that failed are left out. */
  records: SourceRecord[];
  /** Records stored. */
  stored: number;
  /** Bytes stored. */
  bytes: number;
  /** Records that could not be stored: the dispatcher checkpoints at the lowest of them. */
  failed: SourceRecord[];
  reasons: string[];
}

/**
 * Stores every record whose entry is above the threshold once in S3 (key from its position: a retry overwrites
 * the same object) and gives it a pointer entry instead of its data, before routing: every target's envelopes
 * then carry the same small pointer, in stream order. Filters still see the data (`data` is kept).
 * Without such a record the batch's own array comes back: no copy, no allocation.
 */
export async function claimCheck(
  records: SourceRecord[],
  stream: string,
  deps: ClaimCheckDeps,
  retry: RetryOptions,
): Promise<ClaimCheckResult> {
  const result: ClaimCheckResult = { records, stored: 0, bytes: 0, failed: [], reasons: [] };
  const large = records.filter((r) => r.entryBytes > deps.threshold);
  if (large.length === 0) return result;

  const limit = pLimit(deps.concurrency);
  const replaced = new Map<SourceRecord, SourceRecord>();
  await Promise.all(
    large.map((record) =>
      limit(async () => {
        const key = claimCheckKey(deps.prefix, stream, record.shard, record.seq, record.sub);
        const body = Buffer.from(record.data, 'base64');
        let reason = '';
        let permanent = false;
        const left = await retryWithBackoff(
          [record],
          async (pending) => {
            try {
              await deps.store.put(deps.bucket, key, body);
              return [];
            } catch (error) {
              reason = (error as Error).message;
              if (error instanceof ClaimCheckError && error.retryable) return pending;
              permanent = true;
              return [];
            }
          },
          retry,
        );
        if (permanent || left.length > 0) {
          result.failed.push(record);
          result.reasons.push(reason);
          return;
        }
        replaced.set(record, withPointer(record, { b: deps.bucket, k: key, n: body.length }));
        result.stored++;
        result.bytes += body.length;
      }),
    ),
  );
  const failed = new Set(result.failed);
  result.records = records.filter((r) => !failed.has(r)).map((r) => replaced.get(r) ?? r);
  return result;
}

const DATA_FIELD = Buffer.from(',"d":"');

/**
 * The record with its entry's data replaced by a pointer. The entry is `{...,"at":N,"d":"<base64>"}` (see
 * encodeRecord): its head is kept byte for byte. `,"d":"` cannot occur earlier, in the JSON-escaped partition
 * key, whose quotes are escaped.
 */
export function withPointer(record: SourceRecord, pointer: ClaimCheckPointer): SourceRecord {
  const at = record.entry.indexOf(DATA_FIELD);
  if (at < 0) throw new Error(`record ${record.seq} has no inline data to claim-check`);
  const entry = Buffer.concat([
    record.entry.subarray(0, at),
    Buffer.from(`,"s3":${JSON.stringify(pointer)}}`, 'utf8'),
  ]);
  return { ...record, entry, entryBytes: entry.length };
}

/** The claim-check step's settings: undefined without `claimCheck`; with it, a store is required. */
export function claimCheckSettings(
  config: FanoutConfig,
  prefix: string,
  claimCheck: { store: ClaimCheckStore; bucket: string } | undefined,
): ClaimCheckDeps | undefined {
  if (!config.claimCheck) return undefined;
  if (!claimCheck) throw new Error('the configuration has `claimCheck`: the dispatcher needs a claim store');
  return {
    ...claimCheck,
    prefix,
    threshold: claimCheckThreshold(config),
    concurrency: Math.min(8, config.dispatcher.handoffConcurrency),
  };
}

/** Counts what was stored, and logs what could not be (those records decide the checkpoint). */
export function reportClaimCheck(checked: ClaimCheckResult, telemetry: Telemetry): void {
  if (checked.stored > 0) {
    telemetry.count(METRICS.claimCheckedRecords, checked.stored);
    telemetry.count(METRICS.claimCheckedBytes, checked.bytes);
  }
  if (checked.failed.length > 0) {
    telemetry.count(METRICS.handoffFailures, checked.failed.length);
    telemetry.error('claim check failed: records not stored', {
      records: checked.failed.length,
      reasons: checked.reasons.slice(0, 3),
    });
  }
}
