export { DynamoLedger, type DynamoLedgerOptions, PAGE_CLOSE_BYTES } from './dynamo.js';
export { LedgerContentionError } from './errors.js';
export { itemBytes, LEDGER_TABLE_SCHEMA, ledgerKey } from './item.js';
export { comparePositions, type Position, positionKey, sortKey } from './position.js';
export { PositionSet } from './position-set.js';
export {
  type IdempotencyLedger,
  type LedgerLease,
  type LedgerScope,
  type LedgerStats,
  newLedgerStats,
  noLedger,
} from './types.js';
