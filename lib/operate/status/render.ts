import Table from 'cli-table3';
import type { AwsPipelineStatus } from './types.js';

const ms = (v: number | null): string =>
  v === null ? 'no data' : v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
const age = (seconds: number | null): string =>
  seconds === null
    ? '-'
    : seconds >= 3600
      ? `${(seconds / 3600).toFixed(1)} h`
      : seconds >= 60
        ? `${Math.round(seconds / 60)} min`
        : `${Math.round(seconds)} s`;

/** The AWS status as a terminal table; a live concurrency that differs from fanout.yml is marked with `!`. */
export function renderAwsStatus(status: AwsPipelineStatus): string {
  const s = status.source;
  const head = [
    `source ${s.stream}: iterator age ${ms(s.iteratorAgeMs)} (dispatcher), ${ms(s.getRecordsIteratorAgeMs)} (GetRecords); dispatcher errors ${s.dispatcherErrors}, throttles ${s.dispatcherThrottles}; ${s.failureQueueMessages} failed batch(es)`,
    `[aws ${status.region}, stage ${status.stage}, ${status.at}; counters: last ${status.windowMinutes} min]`,
  ].join('\n');
  const table = new Table({
    head: [
      'target',
      'type/via',
      'concurrency',
      'queued',
      'in DLQ',
      'oldest in DLQ',
      'invocations',
      'errors',
      'throttles',
    ],
    style: { head: [], border: [] },
  });
  for (const t of status.targets) {
    const { live, configured } = t.concurrency;
    const concurrency =
      live === null
        ? `? (yml ${configured})`
        : live === configured
          ? String(live)
          : `${live} ! (yml ${configured})`;
    table.push([
      t.enabled ? t.name : `${t.name} (disabled)`,
      `${t.type}/${t.via}`,
      concurrency,
      t.queueMessages ?? '-',
      t.dlqMessages + (t.dlqMessagesInFlight ? ` (+${t.dlqMessagesInFlight} in flight)` : ''),
      t.dlqMessages > 0 ? age(t.dlqOldestAgeSeconds) : '-',
      t.invocations,
      t.errors,
      t.throttles,
    ]);
  }
  const problems = status.problems.map((p) => `! ${p}`);
  const dashboard = `dashboard ${status.dashboard.name}: ${status.dashboard.url}`;
  return [head, table.toString(), ...problems, dashboard].join('\n');
}
