/**
 * Errors of the operator commands (`replay`, `concurrency`, `status`). Each has a stable `name`; the CLI turns
 * the usage ones ({@link UnknownTargetError}, {@link InvalidSettingError}) into exit code 2.
 */

/** A target name that is not in the configuration; the message lists the ones that are. */
export class UnknownTargetError extends Error {
  override readonly name = 'UnknownTargetError';
  constructor(
    readonly target: string,
    readonly known: readonly string[],
  ) {
    super(`unknown target "${target}"; the targets of this configuration are: ${known.join(', ')}`);
  }
}

/** A value the setting cannot take (the message names the allowed range). */
export class InvalidSettingError extends Error {
  override readonly name = 'InvalidSettingError';
}

/** Changing a live setting (reserved concurrency, an event source mapping) failed. */
export class LiveSettingError extends Error {
  override readonly name = 'LiveSettingError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The claim-check bucket of a deployed stack cannot be found (a replay may have to store a record there). */
export class ClaimBucketError extends Error {
  override readonly name = 'ClaimBucketError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
