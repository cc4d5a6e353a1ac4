import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { TargetConfig } from '../config/schema.js';
import { decodeEnvelope } from '../envelope/codec.js';
import { METRICS, type Telemetry } from '../observability/telemetry.js';
import { compileTransform } from '../routing/transform.js';
import type { TargetAdapter } from '../targets/types.js';
import { type DeliverySummary, deliverEnvelope } from './deliver.js';
import { MisroutedEnvelopeError } from './errors.js';
import { type EnvelopeLock, envelopeClaim, noEnvelopeLock } from './lock.js';
import type { DeliveredKeyStore } from './store.js';

export interface WorkerDeps {
  target: TargetConfig;
  adapter: TargetAdapter;
  store: DeliveredKeyStore;
  telemetry: Telemetry;
  lock?: EnvelopeLock;
  maxAttempts?: number;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type WorkerHandler = (
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>,
) => Promise<DeliverySummary | SQSBatchResponse>;

function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: Array<{ eventSource?: string }> })?.Records;
  return Array.isArray(records) && records.length > 0 && records[0]?.eventSource === 'aws:sqs';
}

/**
 * Builds a target's worker. It takes an envelope from an async `Invoke` (and throws when records are left, so
 * Lambda retries it and finally sends it to the target's DLQ), or an SQS batch of envelopes from the target's
 * queue (and reports failed message ids, so only those come back and finally go to the DLQ by redrive).
 */
export function createWorker(deps: WorkerDeps): WorkerHandler {
  const now = deps.now ?? Date.now;
  const lock = deps.lock ?? noEnvelopeLock;
  // Compiled once per container (the config validated it already).
  const transform =
    deps.target.transform === undefined
      ? undefined
      : compileTransform(deps.target.transform, deps.target.name);

  async function handleEnvelope(
    input: unknown,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<DeliverySummary> {
    const envelope = decodeEnvelope(input);
    if (envelope.target !== deps.target.name) {
      throw new MisroutedEnvelopeError(
        `envelope for target "${envelope.target}" reached the worker of target "${deps.target.name}"; check the hand-off configuration`,
      );
    }
    const remaining = context.getRemainingTimeInMillis();
    const deadline = now() + remaining - Math.min(3_000, Math.max(200, remaining * 0.1));
    let ran = false;
    const summary = await lock.run(envelopeClaim(envelope), () => {
      ran = true;
      return deliverEnvelope(envelope, {
        adapter: deps.adapter,
        store: deps.store,
        telemetry: deps.telemetry,
        deadline,
        now,
        ...(deps.maxAttempts ? { maxAttempts: deps.maxAttempts } : {}),
        ...(deps.random ? { random: deps.random } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        ...(transform ? { transform } : {}),
      });
    });
    if (!ran) {
      // The whole envelope was completed before (a duplicate event or a replay): nothing was delivered again.
      deps.telemetry.count(METRICS.duplicatesSkipped, envelope.records.length, deps.target.name);
      return { ...summary, delivered: 0, skipped: envelope.records.length };
    }
    return summary;
  }

  return async (event, context) => {
    if (context.functionName) lock.registerContext(context as Context);
    if (isSqsEvent(event)) {
      const processor = new BatchProcessor(EventType.SQS);
      return processPartialResponse(
        event,
        (record: SQSRecord) => handleEnvelope(record.body, context),
        processor,
        {
          context: context as Context,
        },
      );
    }
    return handleEnvelope(event, context);
  };
}
