import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamRecord } from 'aws-lambda';
import { streamNameOf } from '../../aws/arn.js';
import type { ClaimCheckStore } from '../../claim-check/types.js';
import type { Naming } from '../../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../../config/schema.js';
import { decodeBatch } from '../../dispatch/decode.js';
import type { HandoffPort } from '../../handoff/types.js';
import type { IdempotencyLedger } from '../../ledger/types.js';
import { QueueReader, queueUrlOf, type ReceivedMessage } from '../queue.js';
import { readSequenceRange, toLambdaRecord } from '../stream.js';
import { parseBatchInfo, refusalTargetOf } from './batch-info.js';
import { type TargetDispatch, targetDispatcher, undeliveredRecords } from './redispatch.js';
import { type BatchResult, type SourceReplayReport, SourceTally } from './source-report.js';

export interface SourceReplayRequest {
  config: FanoutConfig;
  names: Naming;
  /** Re-dispatch to this target only (default: every enabled target that has not delivered the records). */
  only?: TargetConfig;
  /** Targets to leave out, with why (local mode: a destination no emulator provides). */
  exclude?: ReadonlyMap<string, string>;
  dryRun: boolean;
  /** Take at most this many failure records. */
  max?: number;
  visibilityTimeoutSeconds?: number;
  signal?: AbortSignal;
  onStart?: (info: { queue: string; depth: number }) => void;
  onBatch?: (result: BatchResult) => void;
}

export interface SourceReplayDeps {
  sqs: SQSClient;
  kinesis: KinesisClient;
  handoff: HandoffPort;
  /** The ledger of `idempotency: store` targets: records a target delivered are not handed to it again. */
  ledger: IdempotencyLedger;
  /** The claim check's store and bucket (required with `claimCheck`, the default), as the dispatcher has them. */
  claimCheck?: { store: ClaimCheckStore; bucket: string };
  now?: () => number;
}

/**
 * `fanout replay --source`: the dispatcher's failure queue holds Lambda's on-failure records of batches it gave
 * up on: shard and sequence range only. Each range is read again from the stream (while retention lasts), made
 * into the Kinesis event Lambda would have sent, and run through the real dispatcher (`createDispatcher` with
 * the same hand-off port) once per target, with only the records that target has not delivered. A failure
 * record is deleted only when its whole range was read and re-dispatched; a range past retention is reported.
 *
 * With ParallelizationFactor > 1 a failed batch holds one lane's records, so its range also covers records
 * of other lanes: they are delivered already and skipped, like any duplicate.
 */
export async function replaySource(
  request: SourceReplayRequest,
  deps: SourceReplayDeps,
): Promise<SourceReplayReport> {
  const { config, names, signal } = request;
  const queue = names.dispatcherFailureQueue();
  const reader = new QueueReader(deps.sqs, await queueUrlOf(deps.sqs, queue), {
    visibilityTimeoutSeconds: request.visibilityTimeoutSeconds ?? 120,
  });
  request.onStart?.({ queue, depth: (await reader.depth()).visible });
  const targets = config.targets.filter(
    (t) => t.enabled && !request.exclude?.has(t.name) && (!request.only || t.name === request.only.name),
  );
  const tally = new SourceTally({
    failureQueue: queue,
    dryRun: request.dryRun,
    targets,
    exclude: request.exclude,
  });
  const dispatchers = new Map<string, TargetDispatch>();
  const dispatcherOf = (target: TargetConfig): TargetDispatch => {
    let dispatch = dispatchers.get(target.name);
    if (!dispatch) {
      dispatch = targetDispatcher(config, names, target, deps.handoff, deps.now, deps.claimCheck);
      dispatchers.set(target.name, dispatch);
    }
    return dispatch;
  };
  const leftInPlace: string[] = [];
  let taken = 0;

  const handle = async (message: ReceivedMessage): Promise<BatchResult> => {
    const info = parseBatchInfo(message.body);
    if (typeof info === 'string')
      return { messageId: message.messageId, outcome: 'unparseable', reason: info };
    const stream = streamNameOf(info.streamArn);
    const read = await readSequenceRange(deps.kinesis, {
      stream,
      shardId: info.shardId,
      start: info.startSequenceNumber,
      end: info.endSequenceNumber,
    });
    const base = {
      messageId: message.messageId,
      shardId: info.shardId,
      missing: read.missing,
      read: read.records.length,
    };
    if (read.records.length === 0) return { ...base, outcome: 'expired' };
    const event: KinesisStreamRecord[] = read.records.map((r) =>
      toLambdaRecord(r, info.shardId, info.streamArn),
    );
    const decoded = decodeBatch(event);
    const perTarget: BatchResult['perTarget'] = {};
    let failed = false;
    // A record the dispatcher parked here because its target's worker and DLQ refused it: that target only.
    const only = refusalTargetOf(message.body);
    for (const target of only === undefined ? targets : targets.filter((t) => t.name === only)) {
      const pending = await undeliveredRecords(target, event, decoded, deps.ledger);
      const counts = { alreadyDelivered: pending.alreadyDelivered, routed: 0, handedOff: 0, failed: 0 };
      perTarget[target.name] = counts;
      if (pending.records.length === 0) continue;
      const dispatch = dispatcherOf(target);
      const outcome = await dispatch(pending.records, request.dryRun);
      Object.assign(counts, outcome.counts);
      if (outcome.failed) failed = true;
    }
    if (failed)
      return { ...base, outcome: 'failed', perTarget, reason: 'some records could not be handed off again' };
    if (read.missing.length > 0) return { ...base, outcome: 'partial', perTarget };
    if (request.dryRun) return { ...base, outcome: 'would-redispatch', perTarget };
    await reader.delete(message.messageId);
    return { ...base, outcome: 'redispatched', perTarget };
  };

  while (!signal?.aborted && !reader.exhausted && (request.max === undefined || taken < request.max)) {
    const batch = await reader.receive(Math.min(10, (request.max ?? 10) - taken));
    // One range at a time: they may share a shard, whose reads are limited to 5 calls per second.
    for (const message of batch) {
      taken++;
      const result = signal?.aborted
        ? { messageId: message.messageId, outcome: 'interrupted' as const }
        : await handle(message).catch(
            (error: Error): BatchResult => ({
              messageId: message.messageId,
              outcome: 'failed',
              reason: `replay error: ${error.message}`,
            }),
          );
      if (result.outcome !== 'redispatched') leftInPlace.push(message.messageId);
      tally.add(result);
      request.onBatch?.(result);
    }
  }
  await reader.release(leftInPlace);
  if (signal?.aborted) tally.interrupted();
  return tally.report();
}
