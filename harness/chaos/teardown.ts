/**
 * What a chaos run started, to stop whatever happens: each part registers its stop as soon as it runs, so a
 * set-up step that fails leaves no process, server or folder behind.
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
