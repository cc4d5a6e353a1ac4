import type { TargetConfig } from '../config/index.js';
import { DURATIONS, METRICS, METRICS_NAMESPACE, metricsServiceName } from '../observability/telemetry.js';
import { iteratorAgeThresholdMs } from './alarms.js';
import type { CfnResources } from './cfn.js';
import type { StackContext } from './types.js';

export const DASHBOARD_LOGICAL_ID = 'Dashboard';
/** One-minute points: the finest resolution of Lambda's and SQS's own metrics. */
const PERIOD = 60;
/** CloudWatch's limit of alarms in one alarm status widget. */
const ALARMS_PER_WIDGET = 100;
/** The dashboard grid is 24 units wide; three graphs per row. */
const WIDTH = 8;
const HEIGHT = 6;
const ALARM_ROW_HEIGHT = 3;

/** The stack's dashboard: `<service>-<stage>`, like the stack. */
export function dashboardName(prefix: string): string {
  return prefix;
}

/** Where the dashboard opens in the AWS console. */
export function dashboardUrl(region: string, name: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`;
}

type MetricLine = Array<string | Record<string, string>>;
interface Widget {
  type: 'metric' | 'alarm' | 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

/**
 * The dashboard an operator opens first when something is wrong: the stack's alarms, then the dispatcher
 * (source iterator age, records it could not hand off, batch time), then a row per target (records delivered,
 * failed and skipped as duplicates; its DLQ's depth and oldest message; delivery latency p50 and p99).
 * The functions' own numbers are the EMF metrics of lib/observability/telemetry.ts, by the dimensions
 * {@link metricsServiceName} gives them.
 */
export function dashboardResources(context: StackContext, alarmNames: readonly string[]): CfnResources {
  const { config, names } = context;
  const graph = graphIn(names.region);
  const widgets: Widget[] = alarmRows(alarmNames, names.prefix, names.region);
  let y = widgets.length * ALARM_ROW_HEIGHT;
  widgets.push(...dispatcherRow(context, y, graph));
  y += HEIGHT;
  for (const target of config.targets) {
    widgets.push(...targetRow(target, y, context, graph));
    y += HEIGHT;
  }

  return {
    [DASHBOARD_LOGICAL_ID]: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: dashboardName(names.prefix),
        // The alarm widgets need ARNs, hence the account: the only `${...}` in the body.
        DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets }) },
      },
    },
  };
}

/** A time-series graph of one-minute points in the stack's region. */
function graphIn(region: string): Graph {
  return (title, metrics, extra = {}) => ({
    title,
    region,
    view: 'timeSeries',
    stacked: false,
    period: PERIOD,
    metrics,
    ...extra,
  });
}

/** The stack's alarms, full width at the top: one row per {@link ALARMS_PER_WIDGET} alarms. */
function alarmRows(alarmNames: readonly string[], prefix: string, region: string): Widget[] {
  const widgets: Widget[] = [];
  for (let i = 0; i < alarmNames.length; i += ALARMS_PER_WIDGET) {
    const alarms = alarmNames.slice(i, i + ALARMS_PER_WIDGET).map((name) => alarmArn(region, name));
    widgets.push({
      type: 'alarm',
      x: 0,
      y: widgets.length * ALARM_ROW_HEIGHT,
      width: 24,
      height: ALARM_ROW_HEIGHT,
      properties: { title: `Alarms of ${prefix}`, alarms, sortBy: 'stateUpdatedTimestamp' },
    });
  }
  return widgets;
}

/** The dispatcher's row: the source iterator age (with its alarm's threshold), records not handed off, batch time. */
function dispatcherRow({ config, names }: StackContext, y: number, graph: Graph): Widget[] {
  const dispatcher = names.dispatcherFunction();
  const dispatcherService = metricsServiceName(names.prefix);
  const own = (metric: string, dims: string[], options: Record<string, string>): MetricLine => [
    METRICS_NAMESPACE,
    metric,
    ...dims,
    options,
  ];
  return [
    metricWidget(
      0,
      y,
      graph(
        `Source iterator age (${dispatcher}, ms)`,
        [['AWS/Lambda', 'IteratorAge', 'FunctionName', dispatcher, { stat: 'Maximum', label: 'maximum' }]],
        {
          annotations: {
            horizontal: [{ label: 'alarm', value: iteratorAgeThresholdMs(config.source.batchWindow) }],
          },
        },
      ),
    ),
    metricWidget(
      WIDTH,
      y,
      graph('Records not handed off, by target', [
        ...config.targets.map((t) =>
          own(METRICS.handoffFailures, ['service', dispatcherService, 'target', t.name], {
            stat: 'Sum',
            label: t.name,
          }),
        ),
        own(METRICS.handoffFailures, ['service', dispatcherService], {
          stat: 'Sum',
          label: 'claim check (any target)',
        }),
      ]),
    ),
    metricWidget(
      2 * WIDTH,
      y,
      graph('Dispatcher batch time (ms)', [
        own(DURATIONS.dispatch, ['service', dispatcherService], { stat: 'p50', label: 'p50' }),
        own(DURATIONS.dispatch, ['service', dispatcherService], { stat: 'p99', label: 'p99' }),
        own(DURATIONS.dispatch, ['service', dispatcherService], { stat: 'Maximum', label: 'maximum' }),
      ]),
    ),
  ];
}

type Graph = (
  title: string,
  metrics: MetricLine[],
  extra?: Record<string, unknown>,
) => Record<string, unknown>;

function targetRow(target: TargetConfig, y: number, { names }: StackContext, graph: Graph): Widget[] {
  const service = ['service', metricsServiceName(names.prefix, target.name), 'target', target.name];
  const worker = (metric: string, options: Record<string, string>): MetricLine => [
    METRICS_NAMESPACE,
    metric,
    ...service,
    options,
  ];
  const dlq = names.targetDlq(target);
  const title = `${target.name} (${target.type}, via ${target.via})`;
  return [
    metricWidget(
      0,
      y,
      graph(`${title}: records per minute`, [
        worker(METRICS.delivered, { stat: 'Sum', label: 'delivered' }),
        worker(METRICS.deliveryFailed, { stat: 'Sum', label: 'failed (to the DLQ or retried)' }),
        worker(METRICS.duplicatesSkipped, { stat: 'Sum', label: 'duplicates skipped' }),
      ]),
    ),
    metricWidget(
      WIDTH,
      y,
      graph(`${title}: DLQ ${dlq}`, [
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          dlq,
          { stat: 'Maximum', label: 'messages' },
        ],
        [
          'AWS/SQS',
          'ApproximateAgeOfOldestMessage',
          'QueueName',
          dlq,
          { stat: 'Maximum', label: 'oldest (s)', yAxis: 'right' },
        ],
      ]),
    ),
    metricWidget(
      2 * WIDTH,
      y,
      graph(`${title}: delivery latency (ms, source arrival to delivered)`, [
        worker(DURATIONS.deliveryLatency, { stat: 'p50', label: 'p50' }),
        worker(DURATIONS.deliveryLatency, { stat: 'p99', label: 'p99' }),
      ]),
    ),
  ];
}

function metricWidget(x: number, y: number, properties: Record<string, unknown>): Widget {
  return { type: 'metric', x, y, width: WIDTH, height: HEIGHT, properties };
}

function alarmArn(region: string, name: string): string {
  return `arn:\${AWS::Partition}:cloudwatch:${region}:\${AWS::AccountId}:alarm:${name}`;
}
