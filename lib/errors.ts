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
 * A subclass of a room's base (`PatternError` of `RoutingSpecError`) has its own name and code, and is still
 * an instance of that base.
 *
 * @example
 * export class LedgerContentionError extends FanoutError {
 *   override readonly name = 'LedgerContentionError';
 *   override readonly errorCode = 'LEDGER_CONTENTION';
 * }
 */
export abstract class FanoutError extends Error {
  abstract override readonly name: string;
  abstract readonly errorCode: string;
}
