/** Base of the errors a target adapter throws when it is built; `name` is stable for logs and tests. */
export class TargetError extends Error {
  override readonly name: string = 'TargetError';
}

/** No adapter is registered for a target's `type` (a config that bypassed validation, or a missing factory). */
export class UnknownTargetTypeError extends TargetError {
  override readonly name: string = 'UnknownTargetTypeError';
  constructor(
    readonly type: string,
    readonly known: readonly string[],
    readonly target?: string,
  ) {
    super(
      `${target ? `target "${target}": ` : ''}unknown target type "${type}"; expected one of ${known.join(', ')}`,
    );
  }
}

/**
 * A destination the adapter cannot use as configured (plain http without `allowInsecure`, an SNS topic that
 * is not an ARN). Thrown when the adapter is created, so a worker fails at start, not per record.
 */
export class TargetDestinationError extends TargetError {
  override readonly name: string = 'TargetDestinationError';
  constructor(
    readonly target: string,
    readonly destination: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`target "${target}": destination "${destination}" ${problem}`, options);
  }
}
