import { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientPool } from '../aws/clients.js';
import type { Naming } from '../config/naming.js';
import type { LocalLambdaRuntime } from '../lambda-emulator/index.js';
import { METRICS } from '../observability/telemetry.js';
import { queueDepth } from '../operate/queue.js';
import type { PipelineStatus, TargetStatus } from '../operate/status/types.js';
import { type DlqContents, dlqRecordCounter } from './dlq-records.js';
import type { EmulatorSet } from './emulator-set.js';
import type { EmfAggregator } from './metrics.js';
import type { LocalStack } from './stack.js';
import type { TargetFailures } from './target-failures.js';

/** What the status is read from: the parts of a running local pipeline (lib/local/pipeline.ts). */
export interface StatusSources {
  names: Naming;
  stack: LocalStack;
  emulators: EmulatorSet;
  runtime: LocalLambdaRuntime;
  metrics: EmfAggregator;
  clients: ClientPool;
  failures: TargetFailures;
  dataDir?: string;
  notices(): string[];
}

/** One DLQ record counter per pipeline (it caches each message's count). */
const counters = new WeakMap<object, ReturnType<typeof dlqRecordCounter>>();

/** Messages in a queue, visible or in flight. */
async function messagesIn(sqs: SQSClient, url: string): Promise<number> {
  const depth = await queueDepth(sqs, url);
  return depth.visible + depth.inFlight;
}

/** The DLQ's contents; when fauxqs cannot be read (restarting), its depth in messages alone. */
async function dlqContents(pipeline: StatusSources, queueUrl: string, target: string): Promise<DlqContents> {
  let count = counters.get(pipeline.emulators);
  if (!count) {
    count = dlqRecordCounter(pipeline.emulators.sqs.endpoint);
    counters.set(pipeline.emulators, count);
  }
  try {
    return await count(queueUrl, target);
  } catch {
    const messages = await messagesIn(pipeline.clients.get(SQSClient), queueUrl).catch(() => 0);
    return { messages, envelopeRecords: 0, notices: 0 };
  }
}

/**
 * The local pipeline's numbers: counters from the functions' own EMF metrics (as CloudWatch would have them),
 * concurrency, retries and throttles from the local Lambda runtime, DLQ contents from fauxqs (records and
 * messages), the emulators' health and the last notices.
 */
export async function collectStatus(pipeline: StatusSources): Promise<PipelineStatus> {
  const { metrics, stack, names } = pipeline;
  const sqs = pipeline.clients.get(SQSClient);
  const runtime = pipeline.runtime.stats();
  const dispatcherMapping = runtime.mappings.find((m) => m.kind === 'kinesis');
  const targets = await Promise.all(
    stack.targets.map(async (local): Promise<TargetStatus> => {
      const config = stack.config.targets.find((t) => t.name === local.name);
      const worker = runtime.functions.find((f) => f.name === names.workerFunction(local.name));
      const mapping = runtime.mappings.find((m) => m.functionName === names.workerFunction(local.name));
      const count = (name: string): number => metrics.count(name, local.name);
      const dlq = await dlqContents(pipeline, local.dlqUrl, local.name);
      const failing = pipeline.failures.failing(local.name);
      const handedOff = count(METRICS.recordsHandedOff);
      const delivered = count(METRICS.delivered);
      const skipped = count(METRICS.duplicatesSkipped);
      const p50 = metrics.latency(local.name, 50);
      const p99 = metrics.latency(local.name, 99);
      return {
        name: local.name,
        type: local.type,
        via: local.via,
        destination: local.destination,
        ...(local.disabled ? { disabled: local.disabled } : {}),
        ...(failing ? { failing } : {}),
        // Live values: `fanout concurrency --apply` changes them without a restart.
        concurrency: worker?.reservedConcurrency ?? mapping?.maximumConcurrency ?? config?.concurrency ?? 0,
        routed: count(METRICS.recordsRouted),
        handedOff,
        delivered,
        skipped,
        // Records, not envelopes: handed off minus those accounted for (delivered, skipped as delivered before,
        // or in an envelope in the DLQ). A dead-lettered envelope's records that had been delivered are counted
        // twice here, so the figure can only err low: a dead-lettered record is never in flight.
        inFlight: Math.max(0, handedOff - delivered - skipped - dlq.envelopeRecords),
        retried:
          count(METRICS.deliveryRetries) +
          count(METRICS.handoffRetries) +
          (worker?.async.retries ?? 0) +
          (mapping?.retries ?? 0),
        throttled: (worker?.async.throttles ?? 0) + (worker?.throttledRequests ?? 0),
        errors: worker?.errors ?? 0,
        dlqRecords: dlq.envelopeRecords + dlq.notices,
        dlqMessages: dlq.messages,
        ...(p50 !== undefined ? { latencyP50Ms: p50 } : {}),
        ...(p99 !== undefined ? { latencyP99Ms: p99 } : {}),
      };
    }),
  );
  return {
    mode: 'local',
    at: new Date().toISOString(),
    source: {
      stream: stack.sourceStream,
      recordsIn: metrics.count(METRICS.recordsIn),
      iteratorAgeMs: dispatcherMapping?.iteratorAgeMs ?? 0,
      failureQueueMessages: await messagesIn(sqs, stack.failureQueueUrl).catch(() => 0),
    },
    targets,
    emulators: pipeline.emulators.health(),
    notices: pipeline.notices(),
    ...(pipeline.dataDir ? { dataDir: pipeline.dataDir } : {}),
  };
}
