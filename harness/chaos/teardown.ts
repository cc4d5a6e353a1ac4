/**
 * What a chaos run started, to stop whatever happens: each part registers its stop as soon as it runs, so a
 * set-up step that fails, or a run stopped by a signal, leaves no process, server or folder behind.
 */
export class Teardown {
  readonly #stops: Array<() => unknown> = [];

  /** Registers what stops a part that now runs. */
  add(stop: () => unknown): void {
    this.#stops.push(stop);
  }

  /**
   * Stops every part, the last started first. A stop that fails does not keep the others running; the first
   * failure is thrown once all have run. A second call stops nothing more.
   */
  async stopAll(): Promise<void> {
    const failures: unknown[] = [];
    for (const stop of this.#stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}

/**
 * `work`, or `signal`'s reason as soon as it aborts. The work is abandoned then, not stopped: the caller's
 * teardown stops what it runs on, and whatever it fails with afterwards is no longer an error of the run.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
