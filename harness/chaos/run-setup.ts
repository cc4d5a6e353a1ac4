/** What a chaos run sets up before records go in: its configuration, the targets' queues, the injector's view. */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FanoutConfig, parseConfig } from '../../lib/config/index.js';
import { idempotencyKey, recordId } from '../../lib/envelope/keys.js';
import { DynamoLedger } from '../../lib/ledger/dynamo.js';
import type { LocalPipeline } from '../../lib/local/pipeline.js';
import type { InjectorDeps } from './injector.js';
import type { ChaosPlan } from './plan.js';
import { type PoisonKind, poisonPlan } from './poison.js';
import type { SourcePosition } from './records.js';
import type { ChaosOptions, ChaosRun } from './run-types.js';
import { type ChaosTargetSpec, chaosTargets, QUEUE_VISIBILITY_FACTOR } from './targets.js';

/** The run's targets, its poison records (by index) and the configuration the pipeline runs. */
export function chaosConfig(
  options: ChaosOptions,
  plan: ChaosPlan,
  httpUrl: string,
): { specs: ChaosTargetSpec[]; poison: Map<number, PoisonKind>; config: FanoutConfig } {
  const specs = chaosTargets(options.targets, httpUrl);
  const poison = plan.faults.has('poison-records')
    ? poisonPlan(options.seed, options.records)
    : new Map<number, PoisonKind>();
  // One target projects its records, so that data that is not JSON has a target it cannot go to.
  const projecting = plan.faults.has('poison-records') ? (specs[2] ?? specs[0]) : undefined;
  if (projecting) projecting.config.transform = { chaos: '$.chaos' };
  const config = parseConfig({
    source: { stream: 'chaos-input', shards: 2, batchSize: 100, startingPosition: 'TRIM_HORIZON' },
    targets: specs.map((s) => s.config),
  });
  return { specs, poison, config };
}

/**
 * The stack sets 6 x the timeout (Lambda's advice); a shorter one (still above the timeout, which Lambda
 * requires) brings a failed message back sooner, so a run is not mostly waiting.
 */
export async function shortenVisibility(
  pipeline: LocalPipeline,
  timeoutOf: (target: string) => number,
): Promise<void> {
  const sqs = pipeline.clients.get(SQSClient);
  for (const t of pipeline.stack.targets) {
    if (!t.queueUrl) continue;
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: t.queueUrl,
        Attributes: { VisibilityTimeout: String(QUEUE_VISIBILITY_FACTOR * timeoutOf(t.name)) },
      }),
    );
  }
}

/** The run's context once its pipeline runs: clients, the targets as the injector sees them, record keys. */
export function chaosRun(
  started: Pick<ChaosRun, 'options' | 'specs' | 'poison' | 'pipeline' | 'http' | 'phase'>,
  timeoutOf: (target: string) => number,
): ChaosRun {
  const { options, pipeline } = started;
  const positions: SourcePosition[] = [];
  return {
    ...started,
    sqs: pipeline.clients.get(SQSClient),
    kinesis: pipeline.clients.get(KinesisClient),
    dynamo: pipeline.clients.get(DynamoDBClient),
    targets: started.specs.map((s) => ({
      name: s.config.name,
      type: s.config.type,
      worker: pipeline.names.workerFunction(s.config.name),
      expectedCalls: s.config.type === 'http' ? options.records : Math.ceil(options.records / 100),
      timeoutSeconds: timeoutOf(s.config.name),
    })),
    positions,
    keyOf: (target, index) => {
      const p = positions[index];
      return p && idempotencyKey(target, recordId('chaos-input', p.shard, p.sequenceNumber));
    },
    quiesce: { sourceRecords: options.records, timeoutMs: options.quiesceTimeoutMs ?? 120_000 },
  };
}

/**
 * The records (by index) among `indexes` the idempotency ledger holds as delivered to a target, read shard by
 * shard: what the injector looks up after a worker died.
 */
export function ledgerLookup(run: ChaosRun, config: FanoutConfig): InjectorDeps['recorded'] {
  const { positions } = run;
  const ledger = new DynamoLedger({
    client: run.dynamo,
    tableName: run.pipeline.names.idempotencyTable(),
    ttlSeconds: config.idempotency.ttlSeconds,
    maxAttempts: 3,
  });
  return async (target, indexes) => {
    const found = new Set<number>();
    const byShard = new Map<string, number[]>();
    for (const i of indexes) {
      const p = positions[i];
      if (p) byShard.set(p.shard, [...(byShard.get(p.shard) ?? []), i]);
    }
    for (const [shard, mine] of byShard) {
      const seqs = new Map(mine.map((i) => [positions[i]?.sequenceNumber as string, i]));
      const delivered = await ledger.delivered(
        { scope: target, stream: 'chaos-input', shard },
        [...seqs.keys()].map((seq) => ({ seq })),
      );
      for (const p of delivered) found.add(seqs.get(p.seq) as number);
    }
    return found;
  };
}
