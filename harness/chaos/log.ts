/** What the injector did, and which records each deliver-then-die window could have delivered twice. */

export interface FaultCounts {
  invokeThrottles: number;
  sqsThrottles: number;
  sqsFailedEntries: number;
  workerErrors: number;
  httpErrors: number;
  httpOutageRefusals: number;
  kinesisFailedEntries: number;
  dispatcherCrashes: number;
  workerCrashes: number;
  storeRestarts: number;
  /** Observed, not injected: worker invocations Lambda's timeout ended (the runtime's Sandbox.Timedout). */
  workerTimeouts: number;
  /** Observed: worker processes that exited on their own (out of memory, a signal), not killed by the injector. */
  workerExits: number;
  /** Observed: records a destination applied whose caller never saw the answer (went away, or aborted unread). */
  answersLost: number;
}

/** Per target, record indexes a deliver-then-die window explains a duplicate of. */
export interface Attribution {
  /**
   * Applied at the destination, and its idempotency key not in the store once the worker was dead (a crash the
   * injector caused, or Lambda's timeout): exactly the records that worker's retry may deliver again.
   */
  diedAfterDelivery: Map<string, Map<number, number>>;
  /**
   * Applied at the destination, but the caller never read the answer (it saw a failure, and its retry applies
   * the record again): per record, how many times. Like a death, each loss explains one more delivery.
   */
  answerLost: Map<string, Map<number, number>>;
  /** Applied while the store was down (a delivery whose key could not be recorded). */
  storeOutage: Map<string, Set<number>>;
}
/** Before the store went down (a write already under way) and after it came back (SDK retries in flight). */
export const STORE_WINDOW_MS = { before: 1_000, after: 1_000 };

/** A record's story at one target, for debugging: times in ms after `t0` (epoch ms of the first event). */
export interface Timeline {
  t0: number;
  applied: number[];
  crashes: number[];
  dispatcherCrashes: number[];
  store: Array<number | null>;
  /** How many answers to a call that applied the record its caller never read. */
  answersLost: number;
}

export class FaultLog {
  readonly counts: FaultCounts = {
    invokeThrottles: 0,
    sqsThrottles: 0,
    sqsFailedEntries: 0,
    workerErrors: 0,
    httpErrors: 0,
    httpOutageRefusals: 0,
    kinesisFailedEntries: 0,
    dispatcherCrashes: 0,
    workerCrashes: 0,
    storeRestarts: 0,
    workerTimeouts: 0,
    workerExits: 0,
    answersLost: 0,
  };
  /** Per target: [time, record index] as applied, in time order. */
  readonly #applied = new Map<string, Array<[number, number]>>();
  readonly #crashes: Array<{ target: string; at: number }> = [];
  /** Per target: record index -> deaths that left it applied but unrecorded (each explains one more delivery). */
  readonly #died = new Map<string, Map<number, number>>();
  readonly #answerLost = new Map<string, Map<number, number>>();
  readonly #dispatcherCrashes: number[] = [];
  /** When a worker last died (crash or timeout): its lease on its records holds until it would have ended. */
  lastDeath: number | undefined;
  #storeDown: number | undefined;
  #storeUp: number | undefined;
  /** Per target: records applied before the outage whose keys it left unrecorded (settled after the run). */
  readonly #leftByStore = new Map<string, Set<number>>();

  applied(target: string, index: number, at: number): void {
    const list = this.#applied.get(target) ?? [];
    list.push([at, index]);
    this.#applied.set(target, list);
  }

  /** A worker died (crash or timeout) at `at`; `unrecorded`: records it applied whose keys were not stored. */
  died(target: string, at: number, unrecorded: readonly number[]): void {
    this.#crashes.push({ target, at });
    this.lastDeath = Math.max(this.lastDeath ?? 0, at);
    const counts = this.#died.get(target) ?? new Map<number, number>();
    for (const i of unrecorded) counts.set(i, (counts.get(i) ?? 0) + 1);
    this.#died.set(target, counts);
  }

  dispatcherCrashed(at: number): void {
    this.#dispatcherCrashes.push(at);
  }

  answerLost(target: string, index: number): void {
    const counts = this.#answerLost.get(target) ?? new Map<number, number>();
    counts.set(index, (counts.get(index) ?? 0) + 1);
    this.#answerLost.set(target, counts);
  }

  storeDown(at: number): void {
    this.#storeDown = at;
  }

  storeUp(at: number): void {
    this.#storeUp = at;
  }

  /** The store's outage window, once it is back: [went down, came back] (ms epoch). */
  storeOutage(): [number, number] | undefined {
    return this.#storeDown !== undefined && this.#storeUp !== undefined
      ? [this.#storeDown, this.#storeUp]
      : undefined;
  }

  /** Records applied shortly before the outage whose keys were still unrecorded once everything settled. */
  leftUnrecordedByStore(target: string, indexes: readonly number[]): void {
    const set = this.#leftByStore.get(target) ?? new Set<number>();
    for (const i of indexes) set.add(i);
    this.#leftByStore.set(target, set);
  }

  attribution(): Attribution {
    const storeOutage = new Map<string, Set<number>>();
    if (this.#storeDown !== undefined) {
      const up = this.#storeUp ?? Number.POSITIVE_INFINITY;
      for (const target of this.#applied.keys()) {
        storeOutage.set(
          target,
          new Set([
            ...this.between(target, this.#storeDown - STORE_WINDOW_MS.before, up + STORE_WINDOW_MS.after),
            ...(this.#leftByStore.get(target) ?? []),
          ]),
        );
      }
    }
    return { diedAfterDelivery: this.#died, answerLost: this.#answerLost, storeOutage };
  }

  /** Times (ms after the first event) a record was applied at a target, and the fault events (debugging). */
  timeline(target: string, index: number): Timeline {
    const t0 = [...this.#applied.values()].flat()[0]?.[0] ?? 0;
    return {
      t0,
      applied: (this.#applied.get(target) ?? []).filter(([, i]) => i === index).map(([at]) => at - t0),
      crashes: this.#crashes.filter((c) => c.target === target).map((c) => c.at - t0),
      dispatcherCrashes: this.#dispatcherCrashes.map((at) => at - t0),
      store: [this.#storeDown, this.#storeUp].map((at) => (at === undefined ? null : at - t0)),
      answersLost: this.#answerLost.get(target)?.get(index) ?? 0,
    };
  }

  /** Record indexes applied at `target` from `from` to `to` (ms epoch). */
  between(target: string, from: number, to: number): number[] {
    return (this.#applied.get(target) ?? []).filter(([at]) => at >= from && at <= to).map(([, i]) => i);
  }
}
