import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock.js';
import type { AsyncFailureCondition } from '../constants.js';
import { asyncFailureRecord } from '../destinations/records.js';
import type { FailureSink } from '../destinations/sqs-sink.js';
import type { RuntimeEvents } from '../events.js';
import type { LocalFunction } from '../function.js';
import type { FunctionErrorPayload } from '../types.js';
import { type AsyncPolicy, afterFunctionError, asyncPolicy, expiresAt, isExpired } from './retry-policy.js';

/** An event as it can be kept across a restart of the runtime (its age and attempts go on from there). */
export interface SavedAsyncEvent {
  requestId: string;
  payload: string;
  receivedAt: number;
  attempts: number;
  lastError?: FunctionErrorPayload;
}

interface QueuedEvent extends SavedAsyncEvent {
  /** Counted once as a throttle while it waits for concurrency. */
  throttled: boolean;
}

export interface AsyncEventQueueOptions {
  clock: Clock;
  timeScale: number;
  events: RuntimeEvents;
  /** Where on-failure records go; without it failed events are dropped (and counted). */
  sink?: FailureSink;
}

/**
 * Lambda's internal queue for `Event` invocations of one function: events wait for free concurrency
 * (reserved concurrency caps them; Lambda throttles and requeues internally), function errors are retried
 * after the scaled ~1 min / ~2 min delays, and events that run out of retries or age (or arrive while
 * reserved concurrency is 0) go to the on-failure destination in Lambda's invocation-record format.
 */
export class AsyncEventQueue {
  readonly #fn: LocalFunction;
  readonly #options: AsyncEventQueueOptions;
  readonly #policy: AsyncPolicy;
  readonly #ready: QueuedEvent[] = [];
  /** Waiting for a retry. */
  readonly #waiting = new Set<QueuedEvent>();
  /** Running when the queue stopped: not finished, not failed. */
  readonly #interrupted: QueuedEvent[] = [];
  #unfinished: SavedAsyncEvent[] = [];
  #running = 0;
  #pending = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  #watchingExpiry = false;
  #idleWaiters: Array<() => void> = [];

  constructor(fn: LocalFunction, options: AsyncEventQueueOptions) {
    this.#fn = fn;
    this.#options = options;
    this.#policy = asyncPolicy(fn.definition.async, options.timeScale);
    // Every event waiting for its retry sleeps on this signal (hundreds under throttling), not a leak past Node's 10.
    setMaxListeners(0, this.#stop.signal);
    fn.pool.onSlotFree(() => this.#pump());
  }

  /** Events waiting (ready or waiting for a retry), not counting those running. */
  get queued(): number {
    return this.#ready.length + this.#waiting.size;
  }

  /** Accepts an event (the `202` of `Invoke` with `Event`) and returns its request id. */
  enqueue(payload: string): string {
    const event: QueuedEvent = {
      requestId: randomUUID(),
      payload,
      receivedAt: this.#options.clock.now(),
      attempts: 0,
      throttled: false,
    };
    this.#fn.counters.async.accepted++;
    this.#ready.push(event);
    this.#pump();
    return event.requestId;
  }

  /** Takes back events saved at an earlier stop: queued as they were, with their age and attempts. */
  restore(events: readonly SavedAsyncEvent[]): void {
    for (const event of events) {
      this.#fn.counters.async.accepted++;
      this.#ready.push({ ...event, throttled: false });
    }
    this.#pump();
  }

  /** Re-examines the queue after reserved concurrency changed (0 sends everything waiting to failure). */
  concurrencyChanged(): void {
    this.#pump();
  }

  /** Resolves when no event is queued, waiting for a retry or running. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops retry timers; running invocations end when the runtime kills their containers. Then
   * {@link unfinished} holds every event not finished: queued, waiting for a retry, or interrupted.
   */
  async stop(): Promise<void> {
    this.#stop.abort();
    const ready = this.#ready.splice(0);
    await Promise.allSettled([...this.#pending]);
    this.#unfinished = [...this.#interrupted, ...this.#waiting, ...ready].map(
      ({ throttled: _, ...event }) => event,
    );
  }

  /** After `stop()`: the events that were accepted and neither succeeded nor went to failure handling. */
  unfinished(): SavedAsyncEvent[] {
    return this.#unfinished;
  }

  #pump(): void {
    if (this.#stop.signal.aborted) return;
    const now = this.#options.clock.now();
    while (this.#ready.length > 0) {
      const event = this.#ready[0] as QueuedEvent;
      if (this.#fn.pool.reserved === 0) {
        this.#ready.shift();
        this.#fail(event, 'ZeroReservedConcurrency');
      } else if (isExpired(event, this.#policy, now)) {
        this.#ready.shift();
        this.#fail(event, 'EventAgeExceeded');
      } else if (this.#fn.pool.tryAcquire()) {
        this.#ready.shift();
        this.#track(this.#dispatch(event));
      } else {
        if (!event.throttled) {
          event.throttled = true;
          this.#fn.counters.async.throttles++;
          this.#options.events.emit('throttle', { functionName: this.#fn.name, requestId: event.requestId });
        }
        this.#watchExpiry();
        break;
      }
    }
    this.#fn.counters.async.queued = this.queued;
    this.#checkIdle();
  }

  /** While events wait for concurrency, wake up when the oldest would expire (Lambda discards it then). */
  #watchExpiry(): void {
    if (this.#watchingExpiry) return;
    this.#watchingExpiry = true;
    const { clock } = this.#options;
    const earliest = this.#ready.reduce(
      (soonest, event) => Math.min(soonest, expiresAt(event, this.#policy)),
      Number.POSITIVE_INFINITY,
    );
    void clock.sleep(Math.max(0, earliest - clock.now()) + 1, this.#stop.signal).then(() => {
      this.#watchingExpiry = false;
      if (this.#stop.signal.aborted) return;
      const now = clock.now();
      for (const event of this.#ready.filter((e) => isExpired(e, this.#policy, now))) {
        this.#ready.splice(this.#ready.indexOf(event), 1);
        this.#fail(event, 'EventAgeExceeded');
      }
      this.#pump();
    });
  }

  async #dispatch(event: QueuedEvent): Promise<void> {
    this.#running++;
    event.attempts++;
    let outcome: Awaited<ReturnType<LocalFunction['runHeld']>> | undefined;
    try {
      outcome = await this.#fn.runHeld(event.payload, 'async', event.requestId);
    } finally {
      this.#running--;
      this.#fn.pool.release();
    }
    if (this.#stop.signal.aborted && !outcome.ok) {
      // Killed by the stop, not failed: it has not had this attempt.
      event.attempts--;
      this.#interrupted.push(event);
      return;
    }
    if (outcome.ok) {
      this.#fn.counters.async.succeeded++;
      return this.#checkIdle();
    }
    event.lastError = outcome.error;
    const step = afterFunctionError(event, this.#policy);
    if (step.kind === 'fail') return this.#fail(event, step.condition);
    this.#fn.counters.async.retries++;
    this.#options.events.emit('async-retry', {
      functionName: this.#fn.name,
      requestId: event.requestId,
      attempt: event.attempts + 1,
      delayMs: step.delayMs,
    });
    this.#waiting.add(event);
    await this.#options.clock.sleep(step.delayMs, this.#stop.signal);
    // Stopped meanwhile: it stays with the waiting ones, for unfinished().
    if (this.#stop.signal.aborted) return;
    this.#waiting.delete(event);
    event.throttled = false;
    this.#ready.push(event);
    this.#pump();
  }

  #fail(event: QueuedEvent, condition: AsyncFailureCondition): void {
    const { counters, definition, arn, name } = this.#fn;
    this.#options.events.emit('async-failure', { functionName: name, requestId: event.requestId, condition });
    const queueUrl = definition.async.onFailureQueueUrl;
    const sink = this.#options.sink;
    if (!queueUrl || !sink) {
      counters.async.dropped++;
      return;
    }
    const record = asyncFailureRecord({
      now: this.#options.clock.now(),
      requestId: event.requestId,
      functionArn: arn,
      condition,
      approximateInvokeCount: event.attempts,
      requestPayload: event.payload,
      ...(event.lastError ? { lastError: event.lastError } : {}),
    });
    this.#track(
      sink(queueUrl, record).then(
        () => {
          counters.async.sentToFailure++;
        },
        (error: unknown) => {
          counters.async.dropped++;
          this.#options.events.emit('problem', { where: `on-failure destination of ${name}`, error });
        },
      ),
    );
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.#options.events.emit('problem', { where: `async invocation of ${this.#fn.name}`, error });
    });
    this.#pending.add(tracked);
    void tracked.finally(() => {
      this.#pending.delete(tracked);
      this.#fn.counters.async.queued = this.queued;
      this.#checkIdle();
    });
  }

  #isIdle(): boolean {
    return this.queued === 0 && this.#running === 0 && this.#pending.size === 0;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
