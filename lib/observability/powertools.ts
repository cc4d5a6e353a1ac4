import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Telemetry, ValueOf } from './telemetry.js';

type Unit = ValueOf<typeof MetricUnit>;

/** Telemetry whose per-target metrics wait for {@link PowertoolsTelemetry.publishTargetMetrics}. */
export interface PowertoolsTelemetry extends Telemetry {
  /**
   * Prints what was counted for other targets since the last call: one EMF document per target, each counter
   * summed, each duration a list of values. Call it once at the end of each invocation.
   */
  publishTargetMetrics(): void;
}

/**
 * Telemetry backed by Powertools: JSON logs and CloudWatch EMF metrics. Per-target metrics carry a `target`
 * dimension. A worker (`defaultTarget`) adds its own target's metrics to the invocation's metrics, which carry
 * the target as a default dimension. Metrics of any other target (the dispatcher serves many in one invocation)
 * are gathered per target in `targetMetrics` (a Metrics instance of the same namespace and service, used for
 * nothing else) and printed as one EMF document per target by `publishTargetMetrics`, not a line per count
 * (`singleMetric()` per count was a third of a local dispatcher's CPU).
 * Record payloads are never logged.
 *
 * @example
 * ```ts
 * const telemetry = powertoolsTelemetry(logger, metrics, targetMetrics);
 * try {
 *   return await dispatch(event, context);
 * } finally {
 *   telemetry.publishTargetMetrics();
 * }
 * ```
 */
export function powertoolsTelemetry(
  logger: Logger,
  metrics: Metrics,
  targetMetrics: Metrics,
  defaultTarget?: string,
): PowertoolsTelemetry {
  // Per other target: metric name -> unit and values (one summed value for a counter).
  const pending = new Map<string, Map<string, { unit: Unit; values: number[] }>>();
  const own = (target: string | undefined): target is undefined => !target || target === defaultTarget;
  const hold = (target: string, name: string, unit: Unit, value: number): void => {
    const byName = pending.get(target) ?? new Map<string, { unit: Unit; values: number[] }>();
    pending.set(target, byName);
    const held = byName.get(name);
    if (!held) byName.set(name, { unit, values: [value] });
    else if (unit === MetricUnit.Count) held.values[0]! += value;
    else held.values.push(value);
  };
  return {
    count(name, value, target) {
      if (own(target)) metrics.addMetric(name, MetricUnit.Count, value);
      else hold(target, name, MetricUnit.Count, value);
    },
    duration(name, ms, target) {
      if (own(target)) metrics.addMetric(name, MetricUnit.Milliseconds, ms);
      else hold(target, name, MetricUnit.Milliseconds, ms);
    },
    publishTargetMetrics() {
      if (pending.size === 0) return;
      const targets = [...pending];
      pending.clear();
      for (const [target, byName] of targets) {
        targetMetrics.addDimension('target', target);
        for (const [name, { unit, values }] of byName) {
          for (const value of values) targetMetrics.addMetric(name, unit, value);
        }
        // Prints the document and clears its metrics and the `target` dimension.
        targetMetrics.publishStoredMetrics();
      }
    },
    info: (message, details) => logger.info(message, details ?? {}),
    warn: (message, details) => logger.warn(message, details ?? {}),
    error: (message, details) => logger.error(message, details ?? {}),
  };
}
