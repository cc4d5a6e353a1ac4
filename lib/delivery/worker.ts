import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { TargetConfig } from '../config/schema.js';
import { decodeEnvelope } from '../envelope/codec.js';
import type { Envelope } from '../envelope/types.js';
import { compileTransform } from '../routing/transform.js';
import type { TargetAdapter } from '../targets/types.js';
import { type DeliverDeps, type DeliverySummary, deliverEnvelope } from './deliver.js';
import { MisroutedEnvelopeError } from './errors.js';
import { deliverFifoBatch } from './fifo-batch.js';
import { type DeadLetterQueue, deliverOnLastReceive, isLastReceive } from './last-receive.js';

/** A target with many destinations (`discover`): one adapter per destination an envelope names. */
export interface DestinationAdapters {
  /** Destinations must start so (`discover.kinesisStreamPrefix`): the worker refuses any other. */
  prefix: string;
  /** The adapter of a destination, created on first use and kept. */
  adapterFor(destination: string): TargetAdapter;
}

/** What the worker hands on to each delivery as it is (see {@link DeliverDeps}). */
type DeliveryServices = Pick<
  DeliverDeps,
  'ledger' | 'telemetry' | 'claimCheck' | 'maxAttempts' | 'now' | 'random' | 'sleep'
>;

export interface WorkerDeps extends DeliveryServices {
  target: TargetConfig;
  /** The target's adapter (unused with `destinations`, whose envelopes each name their destination). */
  adapter: TargetAdapter;
  destinations?: DestinationAdapters;
  /**
   * The target's DLQ, for an ordered target: on a message's last receive the worker puts what cannot be
   * delivered there itself, with the reason, and delivers the records held back behind it (last-receive.ts).
   */
  deadLetters?: DeadLetterQueue;
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
  // Compiled once per container (the config validated it already).
  const transform =
    deps.target.transform === undefined
      ? undefined
      : compileTransform(deps.target.transform, deps.target.name);

  /** The adapter for an envelope's destination; refuses an envelope this worker must not deliver. */
  function adapterOf(envelope: Envelope): TargetAdapter {
    const { target, destinations } = deps;
    if (envelope.target !== target.name) {
      throw new MisroutedEnvelopeError(
        `envelope for target "${envelope.target}" reached the worker of target "${target.name}"; check the hand-off configuration`,
      );
    }
    if (!destinations) {
      if (envelope.dest === undefined) return deps.adapter;
      throw new MisroutedEnvelopeError(
        `envelope names destination "${envelope.dest}", but target "${target.name}" delivers only to its own destination`,
      );
    }
    if (envelope.dest === undefined || !envelope.dest.startsWith(destinations.prefix)) {
      throw new MisroutedEnvelopeError(
        `envelope for discovered target "${target.name}" names ${envelope.dest === undefined ? 'no destination' : `destination "${envelope.dest}"`}; it needs a stream starting with "${destinations.prefix}"`,
      );
    }
    return destinations.adapterFor(envelope.dest);
  }

  async function handleEnvelope(
    input: unknown,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<DeliverySummary> {
    const envelope = decodeEnvelope(input);
    const adapter = adapterOf(envelope);
    const remaining = context.getRemainingTimeInMillis();
    const deadline = now() + remaining - Math.min(3_000, Math.max(500, remaining * 0.1));
    // Leases hold until the invocation ends (Lambda stops it then), and a moment more for clock skew.
    const leaseUntil = now() + remaining + 1_000;
    return deliverEnvelope(envelope, {
      adapter,
      ledger: deps.ledger,
      telemetry: deps.telemetry,
      deadline,
      leaseUntil,
      now,
      ...(deps.maxAttempts ? { maxAttempts: deps.maxAttempts } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(transform ? { transform } : {}),
      ...(deps.claimCheck ? { claimCheck: deps.claimCheck } : {}),
      ...(deps.target.ordered ? { ordered: true } : {}),
    });
  }

  return async (event, context) => {
    if (!isSqsEvent(event)) return handleEnvelope(event, context);
    const deliver = (envelope: unknown): Promise<DeliverySummary> => handleEnvelope(envelope, context);
    if (deps.target.ordered) return deliverFifoMessages(event, context, deps, deliver);
    return processPartialResponse(
      event,
      (record: SQSRecord) => deliver(record.body),
      new BatchProcessor(EventType.SQS),
      {
        context: context as Context,
      },
    );
  };
}

/**
 * An ordered target's batch from its FIFO queue: as one run of envelopes (fifo-batch.ts), or, when a message is
 * on its last receive and the worker has the DLQ, one message at a time.
 */
function deliverFifoMessages(
  event: SQSEvent,
  context: Partial<Context>,
  deps: WorkerDeps,
  deliver: (envelope: unknown) => Promise<DeliverySummary>,
): Promise<SQSBatchResponse> {
  const { deadLetters, target } = deps;
  if (!deadLetters || !event.Records.some((r) => isLastReceive(r, target.retries))) {
    return deliverFifoBatch(event.Records, deliver, (error) =>
      deps.telemetry.warn('records not delivered; their messages come back after the visibility timeout', {
        target: target.name,
        records: error.failures.length,
        error: error.message,
      }),
    );
  }
  // A message on its last receive: one at a time, in order, so that what cannot be delivered reaches the
  // DLQ with its reason before the records of its key behind it are delivered (last-receive.ts). After a
  // failure the group's later messages fail too (unprocessed) and come back after it.
  const handle = (record: SQSRecord): Promise<DeliverySummary> =>
    isLastReceive(record, target.retries)
      ? deliverOnLastReceive(record, { target: target.name, deliver, deadLetters })
      : deliver(record.body);
  return processPartialResponse(event, handle, new SqsFifoPartialProcessorAsync(), {
    context: context as Context,
    skipGroupOnError: true,
  });
}
