import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { ClaimCheckStore } from '../../claim-check/types.js';
import type { FanoutConfig, TargetConfig } from '../../config/schema.js';
import { claimCheck, claimCheckSettings } from '../../dispatch/claim-check.js';
import { decodeBatch } from '../../dispatch/decode.js';
import { packEnvelopes } from '../../dispatch/pack.js';
import { encodeEnvelope } from '../../envelope/codec.js';
import { recordId } from '../../envelope/keys.js';
import { ENVELOPE_KIND, ENVELOPE_VERSION, type RecordNotice } from '../../envelope/types.js';
import { readSequenceRange, toLambdaRecord } from '../stream.js';

/** A noticed record re-read: an envelope that the target can take now, or why it cannot be replayed. */
export type NoticeResolution = { ok: true; body: string; records: 1 } | { ok: false; reason: string };

/** Prefix of the reason for a record that still does not fit (the report groups by it). */
export const EXCEEDS_LIMIT = 'not replayable: exceeds hand-off limit';

export interface NoticeDeps {
  kinesis: KinesisClient;
  config: FanoutConfig;
  target: TargetConfig;
  now: () => number;
  /** `<service>-<stage>`: the claim-check object keys' prefix. */
  prefix: string;
  /** The claim check's store and bucket (with `claimCheck`): a record too large is stored, its pointer sent. */
  claimCheck?: { store: ClaimCheckStore; bucket: string };
  /** Read and check only: nothing is stored (the body is then empty). */
  dryRun?: boolean;
}

/**
 * Makes the record of a DLQ notice (oversize or refused) into an envelope the target can take today.
 *
 * A refused record that was claim-checked is sent with its pointer (the object outlives the DLQ's 14 days).
 * Any other is read again from the stream by its position (while the stream's retention lasts) and packed the
 * way the dispatcher would now: with the claim check on (the default) a record above the hand-off limit is
 * stored in S3 and travels as a pointer, so an oversize notice written while the claim check was off replays
 * once it is on; without it, it replays once the limit was raised (`dispatcher.invokePayloadLimit`), and
 * otherwise stays in the DLQ with the reason.
 */
export async function resolveNotice(notice: RecordNotice, deps: NoticeDeps): Promise<NoticeResolution> {
  const { config, target } = deps;
  const position = notice.record;
  if (notice.kind !== 'kinesis-fanout/oversize-record' && notice.record.s3) {
    const body = encodeEnvelope({
      v: ENVELOPE_VERSION,
      kind: ENVELOPE_KIND,
      target: target.name,
      ...(notice.dest === undefined ? {} : { dest: notice.dest }),
      stream: notice.stream,
      shard: notice.shard,
      sentAt: deps.now(),
      records: [
        {
          // As the dispatcher derives it from the position (the notice's own is not trusted).
          id: recordId(notice.stream, notice.shard, position.seq, position.sub),
          seq: position.seq,
          ...(position.sub === undefined ? {} : { sub: position.sub }),
          pk: position.pk,
          at: position.at,
          s3: notice.record.s3,
        },
      ],
    });
    return { ok: true, body, records: 1 };
  }
  const limit =
    target.via === 'queue' ? config.dispatcher.queueMessageLimit : config.dispatcher.invokePayloadLimit;
  const read = await readSequenceRange(
    deps.kinesis,
    { stream: notice.stream, shardId: notice.shard, start: position.seq, end: position.seq },
    { pageLimit: 1, maxEmptyPages: 2 },
  );
  const found = read.records[0];
  if (!found || found.SequenceNumber !== position.seq) {
    return {
      ok: false,
      reason: `not replayable: record ${position.seq} is no longer in ${notice.stream} (${read.missing[0]?.reason ?? 'not found'})`,
    };
  }
  const batch = decodeBatch([toLambdaRecord(found, notice.shard, notice.stream)]);
  // By position (sequence and sub-sequence number): a KPL aggregate holds many records under one sequence number.
  let records = batch.records.filter((r) => r.seq === position.seq && r.sub === position.sub);
  if (records.length !== 1) {
    return {
      ok: false,
      reason: `not replayable: record ${position.seq}${position.sub === undefined ? '' : ` (user record ${position.sub})`} read again is not there`,
    };
  }
  const claimCheckDeps = claimCheckSettings(config, deps.prefix, deps.claimCheck);
  if (claimCheckDeps && deps.dryRun) return { ok: true, body: '', records: 1 };
  if (claimCheckDeps) {
    const checked = await claimCheck(records, batch.stream, claimCheckDeps, {
      deadline: deps.now() + 60_000,
      maxAttempts: 5,
      now: deps.now,
    });
    if (checked.failed.length > 0) {
      return { ok: false, reason: `claim check failed: ${checked.reasons[0] ?? 'unknown error'}` };
    }
    records = checked.records;
  }
  const record = records[0]!;
  const packed = packEnvelopes(target.name, batch.stream, records, limit, deps.now(), notice.dest);
  const envelope = packed.envelopes[0];
  if (!envelope) {
    return {
      ok: false,
      reason: `${EXCEEDS_LIMIT} (${record.entryBytes} bytes for the record alone, over the ${limit}-byte ${target.via} limit; the claim check is off)`,
    };
  }
  return { ok: true, body: envelope.payload.toString('utf8'), records: 1 };
}
