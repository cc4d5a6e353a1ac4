/**
 * The dashboard reads the metrics the functions really print: the same namespace, names and dimension values
 * as the EMF documents of a worker and of the dispatcher built the way Lambda builds them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DASHBOARD_LOGICAL_ID, dashboardUrl } from '../../lib/deploy/dashboard.js';
import { buildStack } from '../../lib/deploy/stack.js';
import { DURATIONS, METRICS } from '../../lib/observability/telemetry.js';
import { containerTelemetry, createContainer } from '../../lib/wiring/container.js';
import { buildWorker } from '../../lib/wiring/worker.js';
import { configWith } from './support.js';

const WHERE = { stage: 'dev', region: 'eu-west-1' };
const document = {
  source: { stream: 'input' },
  targets: [
    { name: 'out', type: 'kinesis', destination: 'output' },
    { name: 'audit', type: 'sqs', destination: 'audit', via: 'queue' },
  ],
};

interface Widget {
  type: string;
  properties: { alarms?: string[]; metrics?: unknown[][] };
}
const widgetsOf = (config: ReturnType<typeof configWith>): Widget[] => {
  const body = buildStack(config, WHERE).resources[DASHBOARD_LOGICAL_ID]?.Properties.DashboardBody;
  return (JSON.parse((body as { 'Fn::Sub': string })['Fn::Sub']) as { widgets: Widget[] }).widgets;
};
/** Each metric line without its options: `[namespace, name, dimension, value, ...]`. */
const metricLines = (widgets: Widget[]): string[] =>
  widgets.flatMap((w) => w.properties.metrics ?? []).map((m) => JSON.stringify(m.slice(0, -1)));

type Emf = Record<string, unknown> & {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
};
let printed: string[] = [];
/** The metric lines CloudWatch makes of what was printed: one per metric and dimension set. */
const printedLines = (): string[] =>
  printed
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Emf)
    .flatMap((doc) =>
      doc._aws.CloudWatchMetrics.flatMap((directive) =>
        directive.Dimensions.flatMap((dims) =>
          directive.Metrics.map((m) =>
            JSON.stringify([directive.Namespace, m.Name, ...dims.flatMap((d) => [d, String(doc[d])])]),
          ),
        ),
      ),
    );

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  printed = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('the stack dashboard', () => {
  const functionEnv = (target?: string) => ({
    FANOUT_CONFIG_JSON: JSON.stringify(document),
    FANOUT_STAGE: WHERE.stage,
    POWERTOOLS_METRICS_NAMESPACE: 'KinesisFanout',
    // The claim check is on by default: the deploy gives the functions its bucket.
    FANOUT_CLAIM_CHECK_BUCKET: 'fanout-dev-claimcheckbucket-0a1b2c3d4e5f',
    ...(target ? { FANOUT_TARGET: target } : {}),
  });

  it("graphs a worker's deliveries, duplicates, failures and latency by the dimensions the worker prints", () => {
    const container = createContainer('worker', functionEnv('audit'));
    buildWorker(container);
    const telemetry = containerTelemetry(container, 'audit');
    telemetry.count(METRICS.delivered, 3, 'audit');
    telemetry.count(METRICS.deliveryFailed, 1, 'audit');
    telemetry.count(METRICS.duplicatesSkipped, 2, 'audit');
    telemetry.duration(DURATIONS.deliveryLatency, 40, 'audit');
    container.metrics.publishStoredMetrics();

    const lines = printedLines();
    expect(lines).toHaveLength(4);
    expect(metricLines(widgetsOf(configWith(document as never)))).toEqual(expect.arrayContaining(lines));
  });

  it("graphs the dispatcher's hand-off failures per target and its batch time by the dimensions it prints", () => {
    const container = createContainer('dispatcher', functionEnv());
    const telemetry = containerTelemetry(container);
    telemetry.count(METRICS.handoffFailures, 2, 'out');
    telemetry.count(METRICS.handoffFailures, 1);
    telemetry.duration(DURATIONS.dispatch, 12);
    telemetry.publishTargetMetrics();
    container.metrics.publishStoredMetrics();

    const lines = printedLines();
    expect(lines).toHaveLength(3);
    expect(metricLines(widgetsOf(configWith(document as never)))).toEqual(expect.arrayContaining(lines));
  });

  it('shows every alarm, at most 100 per alarm widget, by ARN in the stack account', () => {
    const targets = Array.from({ length: 40 }, (_, i) => ({
      name: `t${i}`,
      type: 'sqs',
      destination: `q${i}`,
    }));
    const widgets = widgetsOf(configWith({ targets } as never));
    const alarmWidgets = widgets.filter((w) => w.type === 'alarm');
    // 3 alarms of the source and dispatcher, 3 per target.
    expect(alarmWidgets.map((w) => w.properties.alarms?.length)).toEqual([100, 23]);
    expect(alarmWidgets[0]?.properties.alarms?.[0]).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub placeholders
      'arn:${AWS::Partition}:cloudwatch:eu-west-1:${AWS::AccountId}:alarm:fanout-dev-source-iterator-age',
    );
  });

  it('opens in the console of its region', () => {
    expect(dashboardUrl('eu-west-1', 'fanout-prod')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/fanout-prod',
    );
  });
});
