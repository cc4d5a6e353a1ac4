/**
 * How a long-running command (`fanout local`, `npm run chaos`) learns it should stop: a signal, or its parent
 * process going away. `npm run` passes SIGTERM only to the shell that runs the script, which ends without passing
 * it on, so a command started by npm sees its parent change instead.
 */

/** Signals that stop a command: Ctrl-C, what `timeout`, CI and process managers send, a closed terminal. */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
/** The exit code when the parent went away: a hang-up, as a closed terminal. */
const PARENT_GONE_EXIT_CODE = 129;
/** How often to look whether the parent process (`npm run`, a shell) is still there. */
const PARENT_CHECK_MS = 1_000;

export interface StopRequest {
  /** What asked: the signal's name, or `its parent process went away`. */
  why: string;
  /** The exit code a shell reports for it (128 + the signal's number). */
  exitCode: number;
}

/**
 * Calls `onStop` once, on the first stop signal or when the parent process goes away. Each signal is handled
 * once: the same signal again ends the process at once (Node's default), and the processes it started then end
 * as their stdin (or IPC channel) closes. Returns a function that removes the handlers and the parent watch.
 */
export function onStopRequest(onStop: (request: StopRequest) => void): () => void {
  let requested = false;
  const request = (why: string, exitCode: number): void => {
    if (requested) return;
    requested = true;
    onStop({ why, exitCode });
  };
  const handlers = Object.entries(STOP_SIGNALS).map(([signal, code]) => {
    const handler = (): void => request(signal, code);
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  const parent = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid !== parent) request('its parent process went away', PARENT_GONE_EXIT_CODE);
  }, PARENT_CHECK_MS);
  parentWatch.unref();
  return () => {
    clearInterval(parentWatch);
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
