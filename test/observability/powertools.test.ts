/**
 * Powertools telemetry prints the EMF documents CloudWatch (and local mode's EmfAggregator) reads: each count must
 * arrive exactly once, per target, with its unit, whether it goes through the invocation's metrics (a worker's
 * own target) or the dispatcher's per-target documents.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EmfAggregator } from '../../lib/local/metrics.js';
import { powertoolsTelemetry } from '../../lib/observability/powertools.js';
import { DURATIONS, METRICS } from '../../lib/observability/telemetry.js';

type EmfDocument = Record<string, unknown> & {
  _aws: {
    CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }>;
  };
};

let lines: string[] = [];

beforeEach(() => {
  // vitest.config.ts disables metrics for the other tests; these read what Powertools prints.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', 'false');
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const metricsOf = (service: string): Metrics => new Metrics({ serviceName: service, namespace: 'Test' });
const documents = (): EmfDocument[] => lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));

/** A dispatcher's telemetry: other targets' metrics go through a Metrics instance of their own. */
const dispatcherTelemetry = () => {
  const metrics = metricsOf('fanout-dispatcher');
  const telemetry = powertoolsTelemetry(
    new Logger({ logLevel: 'SILENT' }),
    metrics,
    metricsOf('fanout-dispatcher'),
  );
  return { metrics, telemetry };
};

describe('powertoolsTelemetry per-target metrics', () => {
  it('prints one document per target per invocation, each counter summed once', () => {
    const { telemetry } = dispatcherTelemetry();
    telemetry.count(METRICS.recordsRouted, 98, 'out-a');
    telemetry.count(METRICS.recordsRouted, 98, 'out-b');
    telemetry.count(METRICS.recordsHandedOff, 60, 'out-a');
    telemetry.count(METRICS.recordsHandedOff, 38, 'out-a');
    telemetry.count(METRICS.handoffCalls, 2, 'out-a');
    telemetry.count(METRICS.handoffCalls, 1, 'out-b');
    expect(documents()).toEqual([]);

    telemetry.publishTargetMetrics();
    const docs = documents();
    expect(docs.map((d) => d.target)).toEqual(['out-a', 'out-b']);
    const [a, b] = docs as [EmfDocument, EmfDocument];
    expect(a).toMatchObject({
      service: 'fanout-dispatcher',
      RecordsRouted: 98,
      RecordsHandedOff: 98,
      HandoffCalls: 2,
    });
    expect(b).toMatchObject({ service: 'fanout-dispatcher', RecordsRouted: 98, HandoffCalls: 1 });
    expect(b).not.toHaveProperty('RecordsHandedOff');
    for (const doc of docs) {
      const [directive] = doc._aws.CloudWatchMetrics;
      expect(directive?.Dimensions).toEqual([['service', 'target']]);
      expect(new Set(directive?.Metrics.map((m) => m.Unit))).toEqual(new Set(['Count']));
    }
  });

  it('prints nothing twice: a second publish is empty, the next invocation starts from zero', () => {
    const { telemetry } = dispatcherTelemetry();
    telemetry.count(METRICS.recordsRouted, 5, 'out-a');
    telemetry.publishTargetMetrics();
    telemetry.publishTargetMetrics();
    telemetry.count(METRICS.recordsRouted, 7, 'out-a');
    telemetry.publishTargetMetrics();

    const aggregator = new EmfAggregator();
    for (const line of lines) aggregator.ingest(line);
    expect(documents()).toHaveLength(2);
    expect(aggregator.count(METRICS.recordsRouted, 'out-a')).toBe(12);
  });

  it('keeps every duration value and its unit, and leaves the invocation metrics to the invocation', () => {
    const { metrics, telemetry } = dispatcherTelemetry();
    telemetry.count(METRICS.recordsIn, 100);
    telemetry.duration(DURATIONS.dispatch, 12);
    telemetry.duration(DURATIONS.deliveryLatency, 40, 'out-a');
    telemetry.duration(DURATIONS.deliveryLatency, 60, 'out-a');
    telemetry.publishTargetMetrics();

    const [a] = documents();
    expect(a).toMatchObject({ target: 'out-a', DeliveryLatency: [40, 60] });
    expect(a?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'DeliveryLatency', Unit: 'Milliseconds' },
    ]);
    expect(a).not.toHaveProperty('RecordsIn');

    metrics.publishStoredMetrics();
    const invocation = documents()[1];
    expect(invocation).toMatchObject({ RecordsIn: 100, DispatchDuration: 12 });
    expect(invocation).not.toHaveProperty('target');
  });

  it("adds a worker's own target to the invocation's metrics", () => {
    const metrics = metricsOf('fanout-out-a');
    metrics.setDefaultDimensions({ target: 'out-a' });
    const telemetry = powertoolsTelemetry(
      new Logger({ logLevel: 'SILENT' }),
      metrics,
      metricsOf('fanout-out-a'),
      'out-a',
    );
    telemetry.count(METRICS.delivered, 100, 'out-a');
    telemetry.publishTargetMetrics();
    expect(documents()).toEqual([]);

    metrics.publishStoredMetrics();
    expect(documents()).toEqual([expect.objectContaining({ target: 'out-a', RecordsDelivered: 100 })]);
  });

  it("sums other targets' counts into what local mode's aggregator reads", () => {
    const { telemetry } = dispatcherTelemetry();
    telemetry.count(METRICS.recordsRouted, 3, 'out-a');
    telemetry.count(METRICS.recordsRouted, 4, 'out-a');
    telemetry.publishTargetMetrics();

    const aggregator = new EmfAggregator();
    for (const line of lines) aggregator.ingest(line);
    expect(aggregator.count(METRICS.recordsRouted, 'out-a')).toBe(7);
  });
});
