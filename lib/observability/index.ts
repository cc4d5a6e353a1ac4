export { powertoolsTelemetry } from './powertools.js';
export {
  isSecretHeader,
  REDACTED,
  redactHeaders,
  redactUrl,
  SECRET_HEADERS,
} from './redact.js';
export {
  DURATIONS,
  type DurationName,
  METRICS,
  type MetricName,
  metricsServiceName,
  type RecordedTelemetry,
  recordingTelemetry,
  type Telemetry,
} from './telemetry.js';
