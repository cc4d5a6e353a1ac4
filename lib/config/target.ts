import type { IdempotencyMode } from './constants.js';
import { supportsNativeIdempotency, type TargetConfig } from './schema.js';

/** The idempotency mode a target runs with: its setting, else `native` where the destination deduplicates, else `store`. */
export function idempotencyModeOf(
  target: Pick<TargetConfig, 'idempotency' | 'type' | 'destination'>,
): IdempotencyMode {
  if (target.idempotency) return target.idempotency;
  return target.type !== 'http' && supportsNativeIdempotency(target.type, target.destination)
    ? 'native'
    : 'store';
}
