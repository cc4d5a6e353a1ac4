import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Telemetry } from './telemetry.js';

/**
 * Telemetry backed by Powertools: JSON logs and CloudWatch EMF metrics. Per-target metrics carry a `target`
 * dimension; the dispatcher emits them as single metrics because one invocation serves many targets, a worker
 * (`defaultTarget`) adds them to the invocation's metrics, which carry the target as a default dimension.
 * Record payloads are never logged.
 */
export function powertoolsTelemetry(logger: Logger, metrics: Metrics, defaultTarget?: string): Telemetry {
  // A worker serves one target: its metrics carry it as a default dimension and are flushed once per invocation.
  const own = (target: string | undefined): boolean => !target || target === defaultTarget;
  return {
    count(name, value, target) {
      if (!own(target) && target) {
        const single = metrics.singleMetric();
        single.addDimension('target', target);
        single.addMetric(name, MetricUnit.Count, value);
      } else {
        metrics.addMetric(name, MetricUnit.Count, value);
      }
    },
    duration(name, ms, target) {
      if (!own(target) && target) {
        const single = metrics.singleMetric();
        single.addDimension('target', target);
        single.addMetric(name, MetricUnit.Milliseconds, ms);
      } else {
        metrics.addMetric(name, MetricUnit.Milliseconds, ms);
      }
    },
    info: (message, details) => logger.info(message, details ?? {}),
    warn: (message, details) => logger.warn(message, details ?? {}),
    error: (message, details) => logger.error(message, details ?? {}),
  };
}
