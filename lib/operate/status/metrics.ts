import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';

/** One CloudWatch metric, reduced over the window with `stat`. */
export interface MetricSpec {
  /** Unique, `[a-z][a-zA-Z0-9_]*` (GetMetricData's rule for query ids). */
  id: string;
  namespace: 'AWS/Lambda' | 'AWS/SQS' | 'AWS/Kinesis';
  metric: string;
  dimension: { Name: string; Value: string };
  stat: 'Sum' | 'Maximum';
}

/** GetMetricData takes at most 500 queries per call. */
const MAX_QUERIES = 500;

/**
 * Reads metrics over the last `windowMinutes` with one-minute periods and reduces each: `Sum` adds the periods,
 * `Maximum` takes the largest. A metric without data points is absent from the result (no traffic, or not
 * published yet), which the caller shows as such rather than as zero where it matters (ages).
 */
export async function readMetrics(
  cloudwatch: CloudWatchClient,
  specs: readonly MetricSpec[],
  windowMinutes: number,
  now: number,
): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  const end = new Date(Math.floor(now / 60_000) * 60_000);
  const start = new Date(end.getTime() - windowMinutes * 60_000);
  for (let i = 0; i < specs.length; i += MAX_QUERIES) {
    const chunk = specs.slice(i, i + MAX_QUERIES);
    const byId = new Map(chunk.map((s) => [s.id, s]));
    const queries: MetricDataQuery[] = chunk.map((s) => ({
      Id: s.id,
      MetricStat: {
        Metric: { Namespace: s.namespace, MetricName: s.metric, Dimensions: [s.dimension] },
        Period: 60,
        Stat: s.stat,
      },
      ReturnData: true,
    }));
    let token: string | undefined;
    do {
      const out = await cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: start,
          EndTime: end,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const series of out.MetricDataResults ?? []) {
        const spec = series.Id ? byId.get(series.Id) : undefined;
        const values = series.Values ?? [];
        if (!spec || values.length === 0) continue;
        const previous = result.get(spec.id);
        const reduced = spec.stat === 'Sum' ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
        result.set(
          spec.id,
          previous === undefined
            ? reduced
            : spec.stat === 'Sum'
              ? previous + reduced
              : Math.max(previous, reduced),
        );
      }
      token = out.NextToken;
    } while (token);
  }
  return result;
}
