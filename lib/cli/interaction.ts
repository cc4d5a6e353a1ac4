/** Terminal interaction of the operator commands: confirmation, a progress bar with rate and ETA, Ctrl-C. */
import { createInterface } from 'node:readline/promises';
import { SingleBar } from 'cli-progress';
import type { CommandIo } from './validate.js';

/** Asks a yes/no question on the terminal (stderr, so stdout stays clean for the output). */
export async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export interface Progress {
  start(total: number): void;
  tick(): void;
  stop(): void;
}

/** A progress bar on stderr with rate and ETA, or nothing when stderr is not a terminal (or for `--json`). */
export function progressBar(enabled: boolean, unit: string): Progress {
  if (!enabled) return { start: () => {}, tick: () => {}, stop: () => {} };
  const bar = new SingleBar({
    format: `replay [{bar}] {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 50,
  });
  let startedAt = 0;
  let done = 0;
  let total = 0;
  return {
    start(n) {
      total = n;
      startedAt = Date.now();
      bar.start(Math.max(1, n), 0, { rate: '0.0' });
    },
    tick() {
      done++;
      // SQS depth is approximate: grow the total rather than run past it.
      if (done > total) {
        total = done;
        bar.setTotal(total);
      }
      const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
      bar.update(done, { rate: (done / seconds).toFixed(1) });
    },
    stop() {
      bar.stop();
    },
  };
}

/**
 * First Ctrl-C: abort `signal` (take nothing new, finish what is in flight). Second: exit now; whatever was
 * received and not handed off becomes visible again after its visibility timeout.
 */
export function interruptible(io: CommandIo): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) {
      io.err('stopped now: messages received and not handed off reappear after their visibility timeout');
      process.exit(130);
    }
    controller.abort();
    io.err('\nCtrl-C: finishing the hand-offs in flight, taking nothing new (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
