import type { EmulatorHealth } from '../operate/status/types.js';
import {
  EMULATOR_PROGRAMS,
  type Emulator,
  type EmulatorExit,
  type EmulatorKind,
  startEmulator,
} from './emulators.js';

/** What a supervised set reports: an emulator died, came back, or could not be started again. */
export type EmulatorEvent =
  | { type: 'died'; kind: EmulatorKind; pid: number; exit: EmulatorExit }
  | { type: 'restarted'; kind: EmulatorKind; pid: number; keptData: boolean }
  | { type: 'restart-failed'; kind: EmulatorKind; error: Error };

/** The three emulators of local mode and the integration tests. */
export interface EmulatorSet {
  kinesis: Emulator;
  sqs: Emulator;
  dynamodb: Emulator;
  /** `AWS_ENDPOINT_URL_*`, region and dummy credentials pointing the SDK at these emulators. */
  env: Record<string, string>;
  health(): EmulatorHealth[];
  stop(): Promise<void>;
}

export interface EmulatorSetOptions {
  portBase?: number;
  dataDir?: string;
  /**
   * Watch the processes: one that dies (killed, crashed) is reported and started again on the same port with
   * its data folder; `onEvent` hears of it (local mode re-creates what an emulator without data lost).
   */
  supervise?: { onEvent: OnEmulatorEvent };
}

const RESTART_ATTEMPTS = 3;

type OnEmulatorEvent = (event: EmulatorEvent) => void | Promise<void>;

/** An emulator that is started again on the same port (and data folder) when its process dies. */
class SupervisedEmulator implements Emulator {
  readonly kind: EmulatorKind;
  readonly port: number;
  readonly endpoint: string;
  readonly restored?: { messages: number; objects: number };
  #current: Emulator;
  #state: EmulatorHealth['state'] = 'running';
  #restarts = 0;
  #lastFailure: string | undefined;
  readonly #dataDir: string | undefined;
  readonly #onEvent: OnEmulatorEvent;

  constructor(first: Emulator, dataDir: string | undefined, onEvent: OnEmulatorEvent) {
    this.kind = first.kind;
    this.port = first.port;
    this.endpoint = first.endpoint;
    if (first.restored) this.restored = first.restored;
    this.#current = first;
    this.#dataDir = dataDir;
    this.#onEvent = onEvent;
  }

  get pid(): number {
    return this.#current.pid;
  }

  health(): EmulatorHealth {
    return {
      kind: this.kind,
      program: EMULATOR_PROGRAMS[this.kind],
      pid: this.pid,
      port: this.port,
      state: this.#state,
      restarts: this.#restarts,
      ...(this.#lastFailure ? { lastFailure: this.#lastFailure } : {}),
    };
  }

  /** Stopped on purpose (`stop()`): a death then is no failure, and nothing is started again. */
  get stopped(): boolean {
    return this.#state === 'stopped';
  }

  async stop(): Promise<void> {
    this.#state = 'stopped';
    await this.#current.stop();
  }

  /** The process ended on its own: report it and start it again, unless the set is stopping. */
  async died(exit: EmulatorExit): Promise<void> {
    if (this.stopped) return;
    const pid = this.pid;
    this.#state = 'restarting';
    const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const kept = this.#dataDir
      ? 'its data folder kept its state'
      : 'it kept its state in memory only: lost (--data-dir keeps it)';
    this.#lastFailure = `pid ${pid} ${how} at ${new Date().toISOString()}; ${kept}`;
    await this.#onEvent({ type: 'died', kind: this.kind, pid, exit });
    for (let attempt = 1; ; attempt++) {
      try {
        this.#current = await startEmulator(this.kind, {
          port: this.port,
          ...(this.#dataDir ? { dataDir: this.#dataDir } : {}),
          onExit: (next) => void this.died(next),
        });
        break;
      } catch (error) {
        // A port still held by the dying process, a busy machine: try again a few times.
        if (this.stopped) return;
        if (attempt >= RESTART_ATTEMPTS) {
          this.#state = 'failed';
          await this.#onEvent({ type: 'restart-failed', kind: this.kind, error: error as Error });
          return;
        }
        await new Promise((r) => setTimeout(r, 1_000 * attempt));
      }
    }
    if (this.stopped) {
      await this.#current.stop();
      return;
    }
    this.#state = 'running';
    this.#restarts++;
    await this.#onEvent({
      type: 'restarted',
      kind: this.kind,
      pid: this.pid,
      keptData: Boolean(this.#dataDir),
    });
  }
}

/** Starts kinesalite, fauxqs and dynalite (each with `<dataDir>/<kind>` when a data folder is given). */
export async function startEmulators(options: EmulatorSetOptions = {}): Promise<EmulatorSet> {
  const port = (offset: number): number => (options.portBase ? options.portBase + offset : 0);
  const dir = (kind: EmulatorKind): string | undefined =>
    options.dataDir ? `${options.dataDir}/${kind}` : undefined;
  const supervised = new Map<EmulatorKind, SupervisedEmulator>();
  const start = (kind: EmulatorKind, offset: number): Promise<Emulator> => {
    const dataDir = dir(kind);
    return startEmulator(kind, {
      port: port(offset),
      ...(dataDir ? { dataDir } : {}),
      ...(options.supervise ? { onExit: (exit: EmulatorExit) => void supervised.get(kind)?.died(exit) } : {}),
    });
  };
  const started = await Promise.allSettled([start('kinesis', 0), start('sqs', 1), start('dynamodb', 2)]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  let [kinesis, sqs, dynamodb] = started.map((s) => (s as PromiseFulfilledResult<Emulator>).value) as [
    Emulator,
    Emulator,
    Emulator,
  ];
  const supervise = options.supervise;
  if (supervise) {
    const wrap = (emulator: Emulator): SupervisedEmulator => {
      const wrapped = new SupervisedEmulator(emulator, dir(emulator.kind), supervise.onEvent);
      supervised.set(emulator.kind, wrapped);
      return wrapped;
    };
    [kinesis, sqs, dynamodb] = [wrap(kinesis), wrap(sqs), wrap(dynamodb)];
  }
  const all = [kinesis, sqs, dynamodb];
  return {
    kinesis,
    sqs,
    dynamodb,
    env: {
      AWS_REGION: 'us-east-1',
      // The AWS CLI v1 and boto3 read this one, not AWS_REGION.
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    },
    health: () =>
      all.map((e) =>
        e instanceof SupervisedEmulator
          ? e.health()
          : {
              kind: e.kind,
              program: EMULATOR_PROGRAMS[e.kind],
              pid: e.pid,
              port: e.port,
              state: 'running',
              restarts: 0,
            },
      ),
    stop: async () => {
      await Promise.all(all.map((e) => e.stop()));
    },
  };
}
