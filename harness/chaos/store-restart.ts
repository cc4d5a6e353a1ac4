import { type Emulator, startEmulator } from '../../lib/local/emulators.js';
import type { Injection } from './injection.js';

/** The store restart: dynalite stopped, down for `storeDownSeconds`, started again on its port (with its data). */
export class StoreRestart {
  readonly #injection: Injection;
  /** The dynalite the restart started: the run stops it (the pipeline knows only the first). */
  started: Emulator | undefined;
  /** Awaited by stop(); never an unhandled rejection meanwhile. */
  done: Promise<void> | undefined;

  constructor(injection: Injection) {
    this.#injection = injection;
  }

  start(): void {
    this.done = this.#restart();
    this.done.catch(() => {});
  }

  async #restart(): Promise<void> {
    const { deps, log } = this.#injection;
    const old = deps.pipeline.emulators.dynamodb;
    log.storeDown(Date.now());
    await old.stop();
    await new Promise((r) => setTimeout(r, deps.plan.storeDownSeconds * 1000));
    // A busy machine can take longer than the usual 20 s to start it (tsx, the data folder): wait, and try
    // again rather than end the run with the store down.
    for (let attempt = 1; !this.started; attempt++) {
      try {
        this.started = await startEmulator('dynamodb', {
          port: old.port,
          startTimeoutMs: 60_000,
          ...(deps.storeDataDir ? { dataDir: deps.storeDataDir } : {}),
        });
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    log.storeUp(Date.now());
    log.counts.storeRestarts++;
  }
}
