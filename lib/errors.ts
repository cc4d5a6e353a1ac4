/**
 * The base of every error kinesis-fanout throws. Each room of `lib/` declares its own in its `errors.ts`
 * (Powertools' shape: one `errors.ts` per package, a small hierarchy under one base), and every one has:
 *
 * - `name`: its class name, written out in the class (never `constructor.name`, which a minifier renames).
 *   It is what Lambda reports as `errorType`, what a DLQ reason starts with and what tests compare.
 * - `errorCode`: a stable machine-readable code, the same for every instance of a class and unique across
 *   classes, for a caller, a log query or an alarm that must not depend on the wording. An own enumerable
 *   field, so a logger handed the error object (the Powertools logger) writes it beside the message. Not
 *   `code`: `HandoffError.code` is the AWS service's error code, and `classifyError` reads any error's `code`
 *   into the DLQ reasons operators read.
 * - `cause`: the error it wraps (ES2022 `ErrorOptions`), when it wraps one.
 *
 * The codes, by room (test/errors.test.ts checks that this table lists every error class and its code):
 *
 * | room              | class                    | errorCode                    |
 * | ----------------- | ------------------------ | ---------------------------- |
 * | claim-check       | `ClaimCheckError`        | `CLAIM_CHECK_FAILED`         |
 * | config            | `ConfigError`            | `CONFIG_INVALID`             |
 * | delivery          | `DeliveryError`          | `DELIVERY_INCOMPLETE`        |
 * | delivery          | `IdempotencyStoreError`  | `IDEMPOTENCY_STORE_FAILED`   |
 * | delivery          | `MisroutedEnvelopeError` | `ENVELOPE_MISROUTED`         |
 * | envelope          | `EnvelopeError`          | `ENVELOPE_INVALID`           |
 * | handoff           | `HandoffError`           | `HANDOFF_FAILED`             |
 * | lambda-emulator   | `LocalRuntimeError`      | `LOCAL_RUNTIME_FAILED`       |
 * | lambda-emulator   | `FunctionNotFoundError`  | `LOCAL_FUNCTION_NOT_FOUND`   |
 * | lambda-emulator   | `RuntimeStoppedError`    | `LOCAL_RUNTIME_STOPPED`      |
 * | ledger            | `LedgerContentionError`  | `LEDGER_CONTENTION`          |
 * | local             | `LocalModeError`         | `LOCAL_MODE_FAILED`          |
 * | local             | `LocalStateError`        | `LOCAL_STATE_UNREADABLE`     |
 * | local             | `LocalModeRunningError`  | `LOCAL_MODE_RUNNING`         |
 * | local             | `LocalCapacityError`     | `LOCAL_CAPACITY_EXCEEDED`    |
 * | operate           | `UnknownTargetError`     | `TARGET_UNKNOWN`             |
 * | operate           | `InvalidSettingError`    | `SETTING_INVALID`            |
 * | operate           | `LiveSettingError`       | `LIVE_SETTING_FAILED`        |
 * | operate           | `ClaimBucketError`       | `CLAIM_BUCKET_NOT_FOUND`     |
 * | routing           | `RoutingSpecError`       | `ROUTING_SPEC_INVALID`       |
 * | routing           | `PatternError`           | `ROUTING_PATTERN_INVALID`    |
 * | routing           | `TransformError`         | `ROUTING_TRANSFORM_INVALID`  |
 * | targets           | `TargetError`            | `TARGET_FAILED`              |
 * | targets           | `UnknownTargetTypeError` | `TARGET_TYPE_UNKNOWN`        |
 * | targets           | `TargetDestinationError` | `TARGET_DESTINATION_INVALID` |
 * | targets           | `SigningSecretError`     | `SIGNING_SECRET_UNREADABLE`  |
 * | targets           | `DiscoveryError`         | `STREAM_DISCOVERY_FAILED`    |
 * | targets           | `RecordHeaderError`      | `RECORD_HEADER_INVALID`      |
 *
 * Each class is declared once, with {@link defineError}: its name and code written out as strings, its room
 * base (if any) as the third argument, and a constructor only where it carries data of its own. A subclass of
 * a room's base (`PatternError` of `RoutingSpecError`) has its own name and code, and is still an instance of
 * that base.
 *
 * @example
 * export class EnvelopeError extends defineError('EnvelopeError', 'ENVELOPE_INVALID') {}
 * export class PatternError extends defineError('PatternError', 'ROUTING_PATTERN_INVALID', RoutingSpecError) {}
 */
export abstract class FanoutError extends Error {
  abstract override readonly name: string;
  abstract readonly errorCode: string;
  // A message is required: it is what Lambda reports, what a DLQ reason and the CLI print.
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * A class that {@link defineError} can extend: FanoutError or a room's base. `any[]` because TypeScript lets a
 * class extend a type parameter only when its constructor takes `...args: any[]` (TS2545); the class returned
 * keeps the exact constructor of its base.
 */
// biome-ignore lint/suspicious/noExplicitAny: TypeScript's rule for a class that extends a type parameter.
type ErrorBase = abstract new (...args: any[]) => FanoutError;
/** What defineError adds to its base: a name and a code set on every instance (own fields, not the prototype's). */
// biome-ignore lint/suspicious/noExplicitAny: as for ErrorBase.
type Named = abstract new (...args: any[]) => { readonly name: string; readonly errorCode: string };

/**
 * The base of one error class: `base` (FanoutError unless a room's base is given) with `name` and `errorCode`
 * set on every instance, as own fields so a logger handed the error writes them. `name` is a string here, never
 * read from the class, so a minifier that renames classes cannot change what Lambda reports.
 */
export function defineError(name: string, errorCode: string): typeof FanoutError & Named;
export function defineError<Base extends ErrorBase>(
  name: string,
  errorCode: string,
  base: Base,
): Base & Named;
export function defineError(
  name: string,
  errorCode: string,
  base: ErrorBase = FanoutError,
): ErrorBase & Named {
  abstract class NamedError extends base {
    override readonly name: string = name;
    override readonly errorCode: string = errorCode;
  }
  return NamedError;
}
