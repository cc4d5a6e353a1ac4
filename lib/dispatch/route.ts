import type { TargetConfig } from '../config/schema.js';
import type { SourceRecord } from './decode.js';

/** The records each target receives, in stream order. */
export type Routes = Map<TargetConfig, SourceRecord[]>;

/**
 * Routes every record to every enabled target. Kept as its own step so per-target filters can decide here
 * without the packer or the hand-off knowing about them.
 */
export function routeRecords(records: readonly SourceRecord[], targets: readonly TargetConfig[]): Routes {
  const routes: Routes = new Map();
  for (const target of targets) {
    if (target.enabled) routes.set(target, records as SourceRecord[]);
  }
  return routes;
}
