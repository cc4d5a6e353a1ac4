import type { KinesisStreamRecord } from 'aws-lambda';
import { streamNameOf } from '../../aws/arn.js';
import type { TargetConfig } from '../../config/schema.js';
import { decodeBatch } from '../../dispatch/decode.js';
import type { IdempotencyLedger } from '../../ledger/types.js';
import { QueueReader, queueUrlOf, type ReceivedMessage } from '../queue.js';
import { readSequenceRange, toLambdaRecord } from '../stream.js';
import { parseBatchInfo, refusalTargetOf } from './batch-info.js';
import { type TargetDispatch, targetDispatcher, undeliveredRecords } from './redispatch.js';
import type { QueueReplayDeps, QueueReplayRequest } from './request.js';
import { type BatchResult, type SourceReplayReport, SourceTally } from './source-report.js';

export interface SourceReplayRequest extends QueueReplayRequest {
  /** Re-dispatch to this target only (default: every enabled target that has not delivered the records). */
  only?: TargetConfig;
  /** Targets to leave out, with why (local mode: a destination no emulator provides). */
  exclude?: ReadonlyMap<string, string>;
  onStart?: (info: { queue: string; depth: number }) => void;
  onBatch?: (result: BatchResult) => void;
}

export interface SourceReplayDeps extends QueueReplayDeps {
  /** The ledger of `idempotency: store` targets: records a target delivered are not handed to it again. */
  ledger: IdempotencyLedger;
}

/** What the re-dispatch of each failure record of a run works with. */
interface SourceRun {
  request: SourceReplayRequest;
  deps: SourceReplayDeps;
  reader: QueueReader;
  /** The targets re-dispatched to (enabled, not excluded, `only`). */
  targets: readonly TargetConfig[];
  /** The dispatcher of a target, built on first use and kept for the run. */
  dispatcherOf: (target: TargetConfig) => TargetDispatch;
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
  const run: SourceRun = { request, deps, reader, targets, dispatcherOf: dispatchers(request, deps) };
  const leftInPlace: string[] = [];
  let taken = 0;
  while (!signal?.aborted && !reader.exhausted && (request.max === undefined || taken < request.max)) {
    const batch = await reader.receive(Math.min(10, (request.max ?? 10) - taken));
    // One range at a time: they may share a shard, whose reads are limited to 5 calls per second.
    for (const message of batch) {
      taken++;
      const result = signal?.aborted
        ? { messageId: message.messageId, outcome: 'interrupted' as const }
        : await redispatchFailureRecord(message, run).catch(
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

/** One dispatcher per target, built when the target first has records to re-dispatch. */
function dispatchers(
  request: SourceReplayRequest,
  deps: SourceReplayDeps,
): (target: TargetConfig) => TargetDispatch {
  const built = new Map<string, TargetDispatch>();
  return (target) => {
    let dispatch = built.get(target.name);
    if (!dispatch) {
      const { config, names } = request;
      dispatch = targetDispatcher(config, names, target, deps.handoff, deps.now, deps.claimCheck);
      built.set(target.name, dispatch);
    }
    return dispatch;
  };
}

/**
 * One failure record: its range read again from the stream and re-dispatched to each target that has not
 * delivered its records; deleted only when the whole range was read and handed off.
 */
async function redispatchFailureRecord(message: ReceivedMessage, run: SourceRun): Promise<BatchResult> {
  const { request, deps } = run;
  const info = parseBatchInfo(message.body);
  if (typeof info === 'string') return { messageId: message.messageId, outcome: 'unparseable', reason: info };
  const read = await readSequenceRange(deps.kinesis, {
    stream: streamNameOf(info.streamArn),
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
  const event = read.records.map((r) => toLambdaRecord(r, info.shardId, info.streamArn));
  // A record the dispatcher parked here because its target's worker and DLQ refused it: that target only.
  const only = refusalTargetOf(message.body);
  const targets = only === undefined ? run.targets : run.targets.filter((t) => t.name === only);
  const { perTarget, failed } = await redispatchRange(event, targets, run);
  if (failed)
    return { ...base, outcome: 'failed', perTarget, reason: 'some records could not be handed off again' };
  if (read.missing.length > 0) return { ...base, outcome: 'partial', perTarget };
  if (request.dryRun) return { ...base, outcome: 'would-redispatch', perTarget };
  await run.reader.delete(message.messageId);
  return { ...base, outcome: 'redispatched', perTarget };
}

/** The range's records through each target's dispatcher, with only the records that target still needs. */
async function redispatchRange(
  event: KinesisStreamRecord[],
  targets: readonly TargetConfig[],
  run: SourceRun,
): Promise<{ perTarget: NonNullable<BatchResult['perTarget']>; failed: boolean }> {
  const decoded = decodeBatch(event);
  const perTarget: NonNullable<BatchResult['perTarget']> = {};
  let failed = false;
  for (const target of targets) {
    const pending = await undeliveredRecords(target, event, decoded, run.deps.ledger);
    const counts = { alreadyDelivered: pending.alreadyDelivered, routed: 0, handedOff: 0, failed: 0 };
    perTarget[target.name] = counts;
    if (pending.records.length === 0) continue;
    const outcome = await run.dispatcherOf(target)(pending.records, run.request.dryRun);
    Object.assign(counts, outcome.counts);
    if (outcome.failed) failed = true;
  }
  return { perTarget, failed };
}
