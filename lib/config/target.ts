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

/**
 * The target called `name` in a configuration, or undefined: each caller says what is wrong in its own words
 * (a worker's `FANOUT_TARGET`, an operator's argument).
 */
export function targetNamed<T extends { name: string }>(
  config: { targets: readonly T[] },
  name: string,
): T | undefined {
  return config.targets.find((t) => t.name === name);
}
