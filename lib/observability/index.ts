export { powertoolsTelemetry } from './powertools.js';
export {
  DURATIONS,
  type DurationName,
  METRICS,
  type MetricName,
  type RecordedTelemetry,
  recordingTelemetry,
  type Telemetry,
} from './telemetry.js';
