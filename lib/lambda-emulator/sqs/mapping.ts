import { setMaxListeners } from 'node:events';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AccountScope } from '../arn.js';
import { interpretBatchResult } from '../batch-response.js';
import type { Clock } from '../clock.js';
import type { SqsMappingConfig } from '../definitions.js';
import { LocalRuntimeError } from '../errors.js';
import type { RuntimeEvents } from '../events.js';
import type { LocalFunction } from '../function.js';
import { emptyMappingStats, type MappingStats } from '../stats.js';
import { sqsEvent } from './event.js';

export interface SqsMappingDeps {
  sqs: SQSClient;
  fn: LocalFunction;
  clock: Clock;
  events: RuntimeEvents;
  scope: AccountScope;
}

/** SQS long polls last at most 20 s. */
const MAX_WAIT_SECONDS = 20;

/**
 * Lambda's SQS event source mapping: `maximumConcurrency` pollers, each gathering a batch (long polling,
 * batch size, batching window), invoking the function synchronously and deleting what succeeded.
 * Failed messages are left alone: they reappear after the queue's visibility timeout, and the queue's own
 * RedrivePolicy moves them to its DLQ after maxReceiveCount receives (the SQS emulator does that).
 */
export class SqsMapping {
  readonly id: string;
  readonly #config: SqsMappingConfig;
  readonly #deps: SqsMappingDeps;
  readonly #stats: MappingStats;
  readonly #stop = new AbortController();
  #pollers: Promise<void>[] = [];
  #queueArn = '';
  /** ScalingConfig.MaximumConcurrency: pollers wanted, and running (UpdateEventSourceMapping changes it live). */
  #maximum: number;
  #running = 0;
  #started = false;

  constructor(id: string, config: SqsMappingConfig, deps: SqsMappingDeps) {
    this.id = id;
    this.#config = config;
    this.#deps = deps;
    this.#stats = emptyMappingStats(id, 'sqs', config.functionName, config.queueUrl);
    this.#maximum = config.maximumConcurrency;
    // Every poller's long poll listens on this signal: up to 1000 of them (Lambda's maximum), not Node's 10.
    setMaxListeners(1_100, this.#stop.signal);
  }

  async start(): Promise<void> {
    const out = await this.#deps.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.#config.queueUrl,
        AttributeNames: ['QueueArn', 'VisibilityTimeout'],
      }),
    );
    this.#queueArn = out.Attributes?.QueueArn ?? '';
    // CreateEventSourceMapping refuses this too: a batch could reappear while the function still runs.
    const visibility = Number(out.Attributes?.VisibilityTimeout ?? 30);
    const timeout = this.#deps.fn.definition.timeoutSeconds;
    if (visibility < timeout) {
      throw new LocalRuntimeError(
        `${this.id}: queue visibility timeout ${visibility} s is less than the function timeout ${timeout} s`,
      );
    }
    this.#started = true;
    this.#scale();
  }

  /** Changes the maximum concurrency live: pollers are added now, or leave after their current batch. */
  setMaximumConcurrency(maximum: number): void {
    if (!Number.isInteger(maximum) || maximum < 2 || maximum > 1000) {
      throw new LocalRuntimeError(
        `${this.id}: MaximumConcurrency must be an integer from 2 to 1000, got ${maximum}`,
      );
    }
    this.#maximum = maximum;
    if (this.#started) this.#scale();
  }

  /** The mapping as ListEventSourceMappings describes it. */
  configuration(): Record<string, unknown> {
    return {
      UUID: this.id,
      EventSourceArn: this.#queueArn,
      FunctionArn: this.#deps.fn.arn,
      BatchSize: this.#config.batchSize,
      MaximumBatchingWindowInSeconds: this.#config.maximumBatchingWindowInSeconds,
      ScalingConfig: { MaximumConcurrency: this.#maximum },
      FunctionResponseTypes: this.#config.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      State: 'Enabled',
    };
  }

  #scale(): void {
    while (this.#running < this.#maximum && !this.#stop.signal.aborted) {
      this.#running++;
      this.#pollers.push(
        this.#poll().catch((error: unknown) => {
          if (!this.#stop.signal.aborted) this.#problem(error);
        }),
      );
    }
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled(this.#pollers);
  }

  stats(): MappingStats {
    return { ...this.#stats, maximumConcurrency: this.#maximum };
  }

  async #poll(): Promise<void> {
    const { clock } = this.#deps;
    const signal = this.#stop.signal;
    let failures = 0;
    while (!signal.aborted) {
      if (this.#running > this.#maximum) {
        this.#running--;
        return;
      }
      let batch: Message[];
      try {
        batch = await this.#gather();
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        this.#problem(error);
        await clock.sleep(Math.min(5_000, 100 * 2 ** ++failures), signal);
        continue;
      }
      if (batch.length === 0) continue;
      this.#stats.received += batch.length;
      this.#stats.inFlight += batch.length;
      try {
        await this.#deliver(batch);
      } finally {
        this.#stats.inFlight -= batch.length;
      }
    }
  }

  async #deliver(batch: Message[]): Promise<void> {
    const { fn, events, scope } = this.#deps;
    const payload = JSON.stringify(sqsEvent(batch, { queueArn: this.#queueArn, region: scope.region }));
    const outcome = await fn.invoke(payload, 'sqs');
    if (!outcome || this.#stop.signal.aborted) return;
    const ids = batch.map((message) => message.MessageId ?? '');
    const result = interpretBatchResult(outcome, ids, this.#config.reportBatchItemFailures);
    this.#stats.batches++;
    if (result.kind !== 'success') this.#stats.failedBatches++;
    events.emit('mapping-batch', {
      mapping: this.id,
      functionName: fn.name,
      records: batch.length,
      outcome: result.kind,
    });
    const failed = new Set(result.kind === 'partial' ? result.failed : result.kind === 'failure' ? ids : []);
    await this.#delete(batch.filter((message) => !failed.has(message.MessageId ?? '')));
  }

  /** One batch: up to `batchSize` messages, waiting at most the batching window once the first arrived. */
  async #gather(): Promise<Message[]> {
    const { sqs, clock } = this.#deps;
    const { batchSize, maximumBatchingWindowInSeconds: window, queueUrl } = this.#config;
    const signal = this.#stop.signal;
    const messages: Message[] = [];
    let deadline = Number.POSITIVE_INFINITY;
    while (messages.length < batchSize && !signal.aborted) {
      const remainingMs = deadline - clock.now();
      if (messages.length > 0 && remainingMs <= 0) break;
      const wait =
        messages.length === 0 ? MAX_WAIT_SECONDS : Math.min(MAX_WAIT_SECONDS, Math.ceil(remainingMs / 1000));
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
          WaitTimeSeconds: wait,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      const received = out.Messages ?? [];
      if (received.length > 0 && messages.length === 0) deadline = clock.now() + window * 1000;
      messages.push(...received);
      // A zero window invokes as soon as there is anything.
      if (window === 0 && messages.length > 0) break;
    }
    return messages;
  }

  async #delete(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      try {
        const out = await this.#deps.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#config.queueUrl,
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
        this.#stats.succeeded += out.Successful?.length ?? 0;
        if (out.Failed?.length)
          this.#problem(
            new Error(
              `DeleteMessageBatch failed for ${out.Failed.length} messages: ${out.Failed[0]?.Message}`,
            ),
          );
      } catch (error) {
        this.#problem(error);
      }
    }
  }

  #problem(error: unknown): void {
    this.#deps.events.emit('problem', { where: this.id, error });
  }
}
