import { setMaxListeners } from 'node:events';
import { DescribeStreamSummaryCommand, type KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { AccountScope } from '../arn.js';
import type { Clock } from '../clock.js';
import { ESM_PAYLOAD_LIMIT } from '../constants.js';
import type { KinesisMappingConfig } from '../definitions.js';
import { streamFailureRecord } from '../destinations/records.js';
import type { FailureSink } from '../destinations/sqs-sink.js';
import type { RuntimeEvents } from '../events.js';
import type { LocalFunction } from '../function.js';
import { emptyMappingStats, type MappingStats } from '../stats.js';
import { type CheckpointStore, ShardProgress } from './checkpoint.js';
import { eventBytes, kinesisEvent, laneOf, type ShardSource, type StreamRecord } from './event.js';
import { type Discard, StreamLane } from './lane.js';
import { readShard, resumeIterator, type ShardReaderDeps } from './shard-reader.js';

export interface KinesisMappingDeps {
  kinesis: KinesisClient;
  fn: LocalFunction;
  clock: Clock;
  timeScale: number;
  events: RuntimeEvents;
  scope: AccountScope;
  sink?: FailureSink;
  /** Where each shard's checkpoint is kept; a shard with one resumes after it instead of the starting position. */
  checkpoints?: CheckpointStore;
}

/**
 * Lambda's Kinesis event source mapping for one function and stream: a reader per shard and
 * ParallelizationFactor lanes per shard (records routed by a hash of their partition key), each lane
 * delivering batches synchronously to the function (see {@link StreamLane} for the failure semantics).
 */
export class KinesisMapping {
  readonly id: string;
  readonly #config: KinesisMappingConfig;
  readonly #deps: KinesisMappingDeps;
  readonly #stats: MappingStats;
  readonly #stop = new AbortController();
  #loops: Promise<void>[] = [];
  #discarded = 0;
  #streamArn = '';

  constructor(id: string, config: KinesisMappingConfig, deps: KinesisMappingDeps) {
    this.id = id;
    this.#config = config;
    this.#deps = deps;
    this.#stats = emptyMappingStats(id, 'kinesis', config.functionName, config.streamName);
    // Each shard's reader and each of its lanes (up to 10, ParallelizationFactor) listen on this signal.
    setMaxListeners(0, this.#stop.signal);
  }

  /** Resolves once every shard has its starting iterator: records put from then on are delivered. */
  async start(): Promise<void> {
    const { kinesis } = this.#deps;
    const summary = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: this.#config.streamName }),
    );
    const streamArn = summary.StreamDescriptionSummary?.StreamARN ?? '';
    this.#streamArn = streamArn;
    const shardIds: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await kinesis.send(
        new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.#config.streamName }),
      );
      for (const shard of page.Shards ?? []) if (shard.ShardId) shardIds.push(shard.ShardId);
      nextToken = page.NextToken;
    } while (nextToken);
    await Promise.all(shardIds.map((shardId) => this.#startShard(shardId, streamArn)));
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled(this.#loops);
  }

  /** The mapping as ListEventSourceMappings describes it. */
  configuration(): Record<string, unknown> {
    const c = this.#config;
    return {
      UUID: this.id,
      EventSourceArn: this.#streamArn,
      FunctionArn: this.#deps.fn.arn,
      BatchSize: c.batchSize,
      MaximumBatchingWindowInSeconds: c.maximumBatchingWindowInSeconds,
      ParallelizationFactor: c.parallelizationFactor,
      StartingPosition: c.startingPosition,
      MaximumRetryAttempts: c.maximumRetryAttempts,
      MaximumRecordAgeInSeconds: c.maximumRecordAgeInSeconds,
      BisectBatchOnFunctionError: c.bisectBatchOnFunctionError,
      FunctionResponseTypes: c.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      State: 'Enabled',
    };
  }

  stats(): MappingStats {
    return {
      ...this.#stats,
      inFlight: Math.max(0, this.#stats.received - this.#stats.succeeded - this.#discarded),
    };
  }

  /** A shard's reader and its ParallelizationFactor lanes, resumed after the shard's checkpoint if it has one. */
  async #startShard(shardId: string, streamArn: string): Promise<void> {
    const { fn, scope } = this.#deps;
    const signal = this.#stop.signal;
    const source: ShardSource = {
      shardId,
      streamArn,
      region: scope.region,
      invokeIdentityArn: `arn:aws:iam::${scope.accountId}:role/${fn.name}-role`,
    };
    const checkpointKey = `${fn.name}/${this.#config.streamName}/${shardId}`;
    const saved = this.#deps.checkpoints?.get(checkpointKey);
    const progress = new ShardProgress(saved);
    const lanes = Array.from({ length: this.#config.parallelizationFactor }, () =>
      this.#lane(source, progress, checkpointKey),
    );
    const reader = this.#reader(shardId, progress, lanes);
    const iterator = await resumeIterator(reader, saved);
    const guard = (loop: Promise<void>): Promise<void> =>
      loop.catch((error: unknown) => {
        if (!signal.aborted) this.#deps.events.emit('problem', { where: `${this.id} ${shardId}`, error });
      });
    this.#loops.push(guard(readShard(reader, iterator, saved)), ...lanes.map((lane) => guard(lane.run())));
  }

  /** One lane of a shard: its batches to the function; what settles moves the shard's checkpoint. */
  #lane(source: ShardSource, progress: ShardProgress, checkpointKey: string): StreamLane {
    const { fn, clock, timeScale } = this.#deps;
    const config = this.#config;
    const stats = this.#stats;
    return new StreamLane({
      config: {
        batchSize: config.batchSize,
        maxBatchBytes: ESM_PAYLOAD_LIMIT - 1024,
        windowMs: config.maximumBatchingWindowInSeconds * 1000,
        maxRetryAttempts: config.maximumRetryAttempts,
        maxRecordAgeMs:
          config.maximumRecordAgeInSeconds < 0 ? -1 : config.maximumRecordAgeInSeconds * 1000 * timeScale,
        bisect: config.bisectBatchOnFunctionError,
        reportBatchItemFailures: config.reportBatchItemFailures,
        retryDelayMs: (retry) => Math.min(1_000, 50 * 2 ** (retry - 1)),
      },
      clock,
      signal: this.#stop.signal,
      sizeOf: (record) => eventBytes(record, source),
      invoke: async (records) => {
        const outcome = await fn.invoke(JSON.stringify(kinesisEvent(records, source)), 'kinesis');
        if (!outcome) throw new Error('a mapping invocation cannot be throttled');
        return outcome;
      },
      discard: (discard) => this.#discard(discard, source),
      on: {
        batch: (records, result) => {
          stats.batches++;
          if (result !== 'success') stats.failedBatches++;
          this.#deps.events.emit('mapping-batch', {
            mapping: this.id,
            functionName: fn.name,
            records,
            outcome: result,
          });
        },
        done: (records) => {
          stats.succeeded += records;
        },
        settled: (records) => {
          if (progress.settle(records) && progress.position)
            this.#deps.checkpoints?.set(checkpointKey, progress.position);
        },
        retry: () => {
          stats.retries++;
        },
        bisect: () => {
          stats.bisects++;
        },
      },
    });
  }

  /** A shard's reader: what it reads goes to the lanes, as long as their backlog leaves room. */
  #reader(shardId: string, progress: ShardProgress, lanes: StreamLane[]): ShardReaderDeps {
    const config = this.#config;
    const stats = this.#stats;
    return {
      kinesis: this.#deps.kinesis,
      streamName: config.streamName,
      shardId,
      startingPosition: config.startingPosition,
      ...(config.startingPositionTimestamp === undefined
        ? {}
        : { startingPositionTimestamp: config.startingPositionTimestamp }),
      pollIntervalMs: config.pollIntervalMs,
      clock: this.#deps.clock,
      signal: this.#stop.signal,
      deliver: (records) => {
        progress.read(records);
        routeToLanes(records, lanes);
      },
      backlog: () => lanes.reduce((sum, lane) => sum + lane.buffered, 0),
      maxBacklog: Math.max(1_000, 2 * config.batchSize * config.parallelizationFactor),
      onRead: (records, behindMs) => {
        stats.received += records;
        stats.iteratorAgeMs = behindMs;
      },
      onProblem: (error) => this.#deps.events.emit('problem', { where: `${this.id} ${shardId}`, error }),
    };
  }

  async #discard(discard: Discard, source: ShardSource): Promise<void> {
    const { fn, sink, events, clock } = this.#deps;
    this.#discarded += discard.records.length;
    events.emit('mapping-failure', {
      mapping: this.id,
      functionName: fn.name,
      records: discard.records.length,
      condition: discard.condition,
    });
    const queueUrl = this.#config.onFailureQueueUrl;
    if (!queueUrl || !sink) return;
    const record = streamFailureRecord({
      now: clock.now(),
      requestId: discard.requestId ?? '',
      functionArn: fn.arn,
      condition: discard.condition,
      approximateInvokeCount: discard.invokeCount,
      ...(discard.lastResult ? { lastResult: discard.lastResult } : {}),
      shardId: source.shardId,
      streamArn: source.streamArn,
      records: discard.records,
    });
    try {
      await sink(queueUrl, record);
      this.#stats.sentToFailure += discard.records.length;
    } catch (error) {
      events.emit('problem', { where: `on-failure destination of ${this.id}`, error });
    }
  }
}

function routeToLanes(records: StreamRecord[], lanes: StreamLane[]): void {
  if (lanes.length === 1) {
    lanes[0]?.push(records);
    return;
  }
  const byLane = lanes.map((): StreamRecord[] => []);
  for (const record of records) byLane[laneOf(record.partitionKey, lanes.length)]?.push(record);
  for (const [index, batch] of byLane.entries()) lanes[index]?.push(batch);
}
