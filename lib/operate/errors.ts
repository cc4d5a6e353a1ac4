import { defineError } from '../errors.js';

/**
 * Errors of the operator commands (`replay`, `concurrency`, `status`). Each has a stable `name`; the CLI turns
 * the usage ones ({@link UnknownTargetError}, {@link InvalidSettingError}) into exit code 2.
 */

/** A target name that is not in the configuration; the message lists the ones that are. */
export class UnknownTargetError extends defineError('UnknownTargetError', 'TARGET_UNKNOWN') {
  constructor(
    readonly target: string,
    readonly known: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`unknown target "${target}"; the targets of this configuration are: ${known.join(', ')}`, options);
  }
}

/** A value the setting cannot take (the message names the allowed range). */
export class InvalidSettingError extends defineError('InvalidSettingError', 'SETTING_INVALID') {}

/** Changing a live setting (reserved concurrency, an event source mapping) failed. */
export class LiveSettingError extends defineError('LiveSettingError', 'LIVE_SETTING_FAILED') {}

/** The claim-check bucket of a deployed stack cannot be found (a replay may have to store a record there). */
export class ClaimBucketError extends defineError('ClaimBucketError', 'CLAIM_BUCKET_NOT_FOUND') {}
