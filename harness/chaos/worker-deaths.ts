import type { LocalPipeline } from '../../lib/local/pipeline.js';
import type { ChaosTarget, InjectorDeps } from './injector-deps.js';
import type { FaultLog } from './log.js';

/** How long after a worker's kill its in-flight requests may still land (and count as its own). */
export const KILL_SETTLE_MS = 2_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A run's worker deaths (killed by the injector, Lambda's timeout, a process that died on its own) and what each
 * left unrecorded: the records it applied whose keys are not in the store are what its retry can deliver again.
 * The look-ups run in the background; {@link settled} waits for them.
 */
export class WorkerDeaths {
  readonly #log: FaultLog;
  readonly #deps: Pick<InjectorDeps, 'keyOf' | 'recorded'>;
  readonly #pending = new Set<Promise<void>>();
  /** When the injector last killed a worker function's containers (their invocations then end in exit errors). */
  readonly #injectedKill = new Map<string, number>();

  constructor(log: FaultLog, deps: Pick<InjectorDeps, 'keyOf' | 'recorded'>) {
    this.#log = log;
    this.#deps = deps;
  }

  /** Watches the runtime's worker invocations for timeouts and exits the injector did not cause. */
  watch(pipeline: LocalPipeline, workers: ReadonlyMap<string, ChaosTarget>): void {
    pipeline.runtime.events.on('invocation', (event) => {
      const target = workers.get(event.functionName);
      const type = event.error?.errorType;
      if (!target) return;
      if (type === 'Sandbox.Timedout') {
        this.#log.counts.workerTimeouts++;
        this.#track(this.#died(target, Date.now()));
      } else if (type === 'Runtime.ExitError' || type === 'Runtime.OutOfMemory') {
        // A process that died on its own (out of memory, a signal) is a deliver-then-die window too; the ones
        // the injector killed a moment ago are looked up already.
        if (Date.now() - (this.#injectedKill.get(target.name) ?? 0) < KILL_SETTLE_MS) return;
        this.#log.counts.workerExits++;
        this.#track(this.#died(target, Date.now()));
      }
    });
  }

  /** Kills every container of a target's worker, and looks up what the dead invocations left unrecorded. */
  kill(pipeline: LocalPipeline, target: ChaosTarget): void {
    // The kill signals go out synchronously: look at the store at once, before a retry of the dead
    // invocation (after the processes exited) can record the keys it delivers again.
    this.#injectedKill.set(target.name, Date.now());
    const killed = pipeline.runtime.crash(target.worker);
    this.#log.counts.workerCrashes++;
    this.#track(this.#died(target, Date.now()));
    this.#track(killed.then(() => {}));
  }

  /** Once every pending look-up is done. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /**
   * Of `indexes`, the records a target has no key recorded for. The store may be down (store-restart): look
   * again until it is back; if it never is, explain nothing.
   */
  async unrecordedOf(target: ChaosTarget, indexes: Iterable<number>): Promise<number[]> {
    const asked = [...indexes].filter((i) => this.#deps.keyOf(target.name, i) !== undefined);
    let recorded: Set<number> | undefined;
    for (let attempt = 0; attempt < 10 && !recorded; attempt++) {
      recorded = await this.#deps.recorded(target.name, asked).catch(async () => {
        await sleep(1_000);
        return undefined;
      });
    }
    return recorded ? asked.filter((i) => !recorded.has(i)) : [];
  }

  /**
   * A worker died (killed: every container of the function, or Lambda's timeout). Its invocations started at
   * most its timeout ago; the look-up runs once the processes are gone, so nothing of theirs is recorded after it.
   */
  async #died(target: ChaosTarget, at: number): Promise<void> {
    const log = this.#log;
    const from = at - target.timeoutSeconds * 1000 - 1_000;
    const first = new Set(log.between(target.name, from, at));
    const before = await this.unrecordedOf(target, first);
    // Requests the dead worker had sent still land for a moment (logged at their arrival, so possibly before
    // `at`); its retry cannot record them as soon: an async retry waits for the exit and its delay and then
    // for the dead invocation's lease (until it would have ended), a queue message for its visibility timeout.
    await sleep(KILL_SETTLE_MS);
    const late = new Set(log.between(target.name, from, at + KILL_SETTLE_MS).filter((i) => !first.has(i)));
    const after = await this.unrecordedOf(target, late);
    log.died(target.name, at, [...new Set([...before, ...after])]);
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch(() => {});
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }
}
