import { defineError } from '../errors.js';

/** Errors of local mode (`fanout local`) itself; each has a stable `name` and says what to do. */

/** Base class of local mode's errors. */
export class LocalModeError extends defineError('LocalModeError', 'LOCAL_MODE_FAILED') {}

/** Kept state (`--data-dir`) that cannot be read: starting over it would drop what it holds. */
export class LocalStateError extends defineError(
  'LocalStateError',
  'LOCAL_STATE_UNREADABLE',
  LocalModeError,
) {
  constructor(
    readonly file: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(
      `${file} ${problem}: it holds what local mode kept from its last run, so local mode will not start over it; move it away to start without it`,
      options,
    );
  }
}

/** Another `fanout local` runs in this folder: a second one would overwrite its `.fanout/local.env`. */
export class LocalModeRunningError extends defineError(
  'LocalModeRunningError',
  'LOCAL_MODE_RUNNING',
  LocalModeError,
) {
  constructor(
    readonly pid: number,
    readonly endpoints: string,
    options?: ErrorOptions,
  ) {
    super(
      `local mode is already running in this folder (pid ${pid}${endpoints ? `; ${endpoints}` : ', starting'}): stop it first (Ctrl-C in its terminal, or kill ${pid}), or run the second one from another folder`,
      options,
    );
  }
}

/** More targets than this machine can run locally. */
export class LocalCapacityError extends defineError(
  'LocalCapacityError',
  'LOCAL_CAPACITY_EXCEEDED',
  LocalModeError,
) {}
