import type { TargetConfig } from '../config/schema.js';
import { METRICS } from '../observability/telemetry.js';
import type { DiscoveredStreams, StreamDiscovery } from '../targets/discovery.js';
import type { SourceRecord } from './decode.js';
import type { HandoffUnit } from './handoff-unit.js';
import { type PlanContext, targetUnits } from './plan.js';

/** The hand-off units of a batch's records, and the records that have none: they count as not handed off. */
export interface PlannedUnits {
  units: HandoffUnit[];
  failed: SourceRecord[];
}

/**
 * The discovered target's units: its records once per stream the discovery knows (each envelope names its
 * stream). Without any list (ListStreams failed and nothing is cached), its records count as not handed off.
 */
export async function discoveredUnits(
  target: TargetConfig,
  records: SourceRecord[],
  plan: PlanContext,
  discovery: StreamDiscovery,
): Promise<PlannedUnits> {
  const { telemetry } = plan;
  let streams: DiscoveredStreams;
  try {
    streams = await discovery.streams();
  } catch (error) {
    telemetry.count(METRICS.handoffFailures, records.length, target.name);
    telemetry.error('stream discovery failed: no stream list to deliver to', {
      target: target.name,
      reason: (error as Error).message,
    });
    return { units: [], failed: records };
  }
  if (streams.stale) {
    telemetry.warn('stream discovery could not refresh: using the last list', {
      target: target.name,
      streams: streams.names.length,
      reason: streams.stale,
    });
  }
  return { units: streams.names.flatMap((stream) => targetUnits(target, records, plan, stream)), failed: [] };
}
