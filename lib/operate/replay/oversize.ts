import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { FanoutConfig, TargetConfig } from '../../config/schema.js';
import { decodeBatch } from '../../dispatch/decode.js';
import { packEnvelopes } from '../../dispatch/pack.js';
import { recordId } from '../../envelope/keys.js';
import type { OversizeNotice } from '../../envelope/types.js';
import { readSequenceRange, toLambdaRecord } from '../stream.js';

/** An oversize record re-read from the stream: an envelope that now fits, or why it cannot be replayed. */
export type OversizeResolution = { ok: true; body: string; records: 1 } | { ok: false; reason: string };

/** Prefix of the reason for a record that still does not fit (the report groups by it). */
export const EXCEEDS_LIMIT = 'not replayable: exceeds hand-off limit';

/**
 * Re-reads the record of an oversize notice by its sequence number and packs it the way the dispatcher would
 * today. Usually it still does not fit (the notice stays in the DLQ; the data stays in the stream for its
 * retention): there is no claim-check yet to carry a record larger than the hand-off limit. It fits when the
 * limit was raised since (e.g. `dispatcher.invokePayloadLimit`), and is then replayed like any envelope.
 */
export async function resolveOversize(
  notice: OversizeNotice,
  deps: { kinesis: KinesisClient; config: FanoutConfig; target: TargetConfig; now: () => number },
): Promise<OversizeResolution> {
  const { config, target } = deps;
  const limit =
    target.via === 'queue' ? config.dispatcher.queueMessageLimit : config.dispatcher.invokePayloadLimit;
  const read = await readSequenceRange(
    deps.kinesis,
    { stream: notice.stream, shardId: notice.shard, start: notice.record.seq, end: notice.record.seq },
    { pageLimit: 1, maxEmptyPages: 2 },
  );
  const found = read.records[0];
  if (!found || found.SequenceNumber !== notice.record.seq) {
    return {
      ok: false,
      reason: `not replayable: record ${notice.record.seq} is no longer in ${notice.stream} (${read.missing[0]?.reason ?? 'not found'})`,
    };
  }
  const batch = decodeBatch([toLambdaRecord(found, notice.shard, notice.stream)]);
  const record = batch.records.find(
    (r) => recordId(batch.stream, r.shard, r.seq, r.sub) === notice.record.id,
  );
  if (!record) {
    return {
      ok: false,
      reason: `not replayable: record ${notice.record.seq} read again has no record with id ${notice.record.id}`,
    };
  }
  const packed = packEnvelopes(target.name, batch.stream, [record], limit, deps.now());
  const envelope = packed.envelopes[0];
  if (!envelope) {
    return {
      ok: false,
      reason: `${EXCEEDS_LIMIT} (${record.entryBytes} bytes for the record alone, over the ${limit}-byte ${target.via} limit)`,
    };
  }
  return { ok: true, body: envelope.payload.toString('utf8'), records: 1 };
}
