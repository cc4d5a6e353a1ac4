import { defineError } from '../errors.js';

/** Base of the errors a target adapter throws when it is built; `name` is stable for logs and tests. */
export class TargetError extends defineError('TargetError', 'TARGET_FAILED') {}

/** No adapter is registered for a target's `type` (a config that bypassed validation, or a missing factory). */
export class UnknownTargetTypeError extends defineError(
  'UnknownTargetTypeError',
  'TARGET_TYPE_UNKNOWN',
  TargetError,
) {
  constructor(
    readonly type: string,
    readonly known: readonly string[],
    readonly target?: string,
    options?: ErrorOptions,
  ) {
    super(
      `${target ? `target "${target}": ` : ''}unknown target type "${type}"; expected one of ${known.join(', ')}`,
      options,
    );
  }
}

/**
 * A destination the adapter cannot use as configured (plain http without `allowInsecure`, an SNS topic that
 * is not an ARN). Thrown when the adapter is created, so a worker fails at start, not per record.
 */
export class TargetDestinationError extends defineError(
  'TargetDestinationError',
  'TARGET_DESTINATION_INVALID',
  TargetError,
) {
  constructor(
    readonly target: string,
    readonly destination: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`target "${target}": destination "${destination}" ${problem}`, options);
  }
}

/** The signing secret could not be read. `retryable` for throttling and 5xx, not for access denied or not found. */
export class SigningSecretError extends defineError(
  'SigningSecretError',
  'SIGNING_SECRET_UNREADABLE',
  TargetError,
) {
  constructor(
    readonly ref: string,
    readonly retryable: boolean,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`signing secret ${ref}: ${reason}`, options);
  }
}

/** The streams of a `discover` prefix could not be listed, and no earlier list is at hand. */
export class DiscoveryError extends defineError('DiscoveryError', 'STREAM_DISCOVERY_FAILED', TargetError) {}

/** Thrown for a record whose headers cannot be written; the message is the reason in its DLQ record. */
export class RecordHeaderError extends defineError('RecordHeaderError', 'RECORD_HEADER_INVALID') {}
