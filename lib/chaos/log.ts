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
}

/** Per target, record indexes a window explains a duplicate of. */
export interface Attribution {
  /** Applied at the destination shortly before a worker crash (the crash that came with the answer). */
  crashAfterDelivery: Map<string, Set<number>>;
  /** Applied while the store was down (a delivery whose key could not be recorded). */
  storeOutage: Map<string, Set<number>>;
}

/**
 * A worker records a call's keys right after the call (lib/delivery/deliver.ts), in milliseconds; a delivery
 * further back than this before a crash had its keys recorded, so a duplicate of it is not the crash's doing.
 */
export const CRASH_WINDOW_MS = 2_000;
/** Before the store went down (a write already under way) and after it came back (SDK retries in flight). */
export const STORE_WINDOW_MS = { before: 1_000, after: 1_000 };

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
  };
  /** Per target: [time, record index] as applied, in time order. */
  readonly #applied = new Map<string, Array<[number, number]>>();
  readonly #crashes: Array<{ target: string; at: number }> = [];
  #storeDown: number | undefined;
  #storeUp: number | undefined;

  applied(target: string, index: number, at: number): void {
    const list = this.#applied.get(target) ?? [];
    list.push([at, index]);
    this.#applied.set(target, list);
  }

  crashed(target: string, at: number): void {
    this.#crashes.push({ target, at });
  }

  storeDown(at: number): void {
    this.#storeDown = at;
  }

  storeUp(at: number): void {
    this.#storeUp = at;
  }

  attribution(): Attribution {
    const crashAfterDelivery = new Map<string, Set<number>>();
    for (const { target, at } of this.#crashes) {
      const set = crashAfterDelivery.get(target) ?? new Set<number>();
      for (const index of this.#between(target, at - CRASH_WINDOW_MS, at + CRASH_WINDOW_MS / 4))
        set.add(index);
      crashAfterDelivery.set(target, set);
    }
    const storeOutage = new Map<string, Set<number>>();
    if (this.#storeDown !== undefined) {
      const up = this.#storeUp ?? Number.POSITIVE_INFINITY;
      for (const target of this.#applied.keys()) {
        storeOutage.set(
          target,
          new Set(
            this.#between(target, this.#storeDown - STORE_WINDOW_MS.before, up + STORE_WINDOW_MS.after),
          ),
        );
      }
    }
    return { crashAfterDelivery, storeOutage };
  }

  /** Times (ms after the first event) a record was applied at a target, and the fault events (debugging). */
  timeline(target: string, index: number): unknown {
    const t0 = [...this.#applied.values()].flat()[0]?.[0] ?? 0;
    return {
      applied: (this.#applied.get(target) ?? []).filter(([, i]) => i === index).map(([at]) => at - t0),
      crashes: this.#crashes.filter((c) => c.target === target).map((c) => c.at - t0),
      store: [this.#storeDown, this.#storeUp].map((at) => (at === undefined ? null : at - t0)),
    };
  }

  #between(target: string, from: number, to: number): number[] {
    return (this.#applied.get(target) ?? []).filter(([at]) => at >= from && at <= to).map(([, i]) => i);
  }
}
