import { plainTable } from '../table.js';
import type { AwsPipelineStatus, EmulatorHealth, PipelineStatus, TargetStatus } from './types.js';

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
  const table = plainTable([
    'target',
    'type/via',
    'concurrency',
    'queued',
    // SQS messages, not records: one envelope carries many (`fanout replay --dry-run` counts the records).
    'DLQ msgs',
    'oldest in DLQ',
    'invocations',
    'errors',
    'throttles',
  ]);
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

/**
 * The AWS status as one line, for `fanout status --watch` into a file or a CI log: the source's iterator age and
 * failed batches; per target its queue (`via: queue`), DLQ messages, errors and throttles; what could not be read.
 */
export function renderAwsStatusLine(status: AwsPipelineStatus): string {
  const s = status.source;
  const targets = status.targets.map((t) => {
    const queued = t.queueMessages === undefined ? '' : `${t.queueMessages} queued, `;
    const inFlight = t.dlqMessagesInFlight ? ` (+${t.dlqMessagesInFlight} in flight)` : '';
    return `${t.name}${t.enabled ? '' : ' (disabled)'}: ${queued}${t.dlqMessages} DLQ msgs${inFlight}, ${t.errors} errors, ${t.throttles} throttles`;
  });
  return [
    `source ${s.stream}: iterator age ${ms(s.iteratorAgeMs)}, ${s.failureQueueMessages} failed batch(es)`,
    ...targets,
    ...(status.problems.length > 0 ? [`! ${status.problems.join('; ')}`] : []),
  ].join(' | ');
}

const localMs = (v: number | undefined): string =>
  v === undefined ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;

/** One line on the emulators: short while all run as started, the details of any that did not. */
export function renderEmulators(emulators: readonly EmulatorHealth[] | undefined): string | undefined {
  if (!emulators || emulators.length === 0) return undefined;
  if (emulators.every((e) => e.state === 'running' && e.restarts === 0)) {
    return `emulators: ${emulators.map((e) => e.program).join(', ')} running`;
  }
  const each = emulators.map((e) => {
    const restarts = e.restarts > 0 ? `, restarted ${e.restarts}x` : '';
    const last = e.lastFailure && e.state !== 'running' ? ` (${e.lastFailure})` : '';
    return `${e.program} ${e.state.toUpperCase()}${restarts}${last}`;
  });
  const lastFailure = emulators.find((e) => e.lastFailure && e.state === 'running')?.lastFailure;
  return `emulators: ${each.join(' | ')}${lastFailure ? `\n  last failure: ${lastFailure}` : ''}`;
}

const dlqCell = (t: TargetStatus): string =>
  `${t.dlqRecords} (${t.dlqMessages} msg)${t.dlqOldestAgeSeconds ? ` ${t.dlqOldestAgeSeconds}s old` : ''}`;

/** The status as a terminal table, with the emulators' health, failing targets and the last notices. */
export function renderStatus(status: PipelineStatus): string {
  const head = `source ${status.source.stream}: ${status.source.recordsIn} records in, iterator age ${localMs(status.source.iteratorAgeMs)}, ${status.source.failureQueueMessages} failed batch(es)  [${status.mode}, ${status.at}]`;
  const table = plainTable([
    'target',
    'type/via',
    'conc',
    'routed',
    'handed off',
    'delivered',
    'in flight',
    'retried',
    'dupes skipped',
    'in DLQ (msgs)',
    'p50',
    'p99',
  ]);
  for (const t of status.targets) {
    if (t.disabled) {
      table.push([t.name, `${t.type}/${t.via}`, { colSpan: 10, content: `off: ${t.disabled}` }]);
      continue;
    }
    table.push([
      t.name,
      `${t.type}/${t.via}`,
      t.concurrency,
      t.routed,
      t.handedOff,
      t.delivered,
      t.inFlight,
      t.retried,
      t.skipped,
      dlqCell(t),
      localMs(t.latencyP50Ms),
      localMs(t.latencyP99Ms),
    ]);
  }
  const lines = [head, renderEmulators(status.emulators), table.toString()];
  for (const t of status.targets.filter((target) => target.failing)) {
    lines.push(
      `${t.name} is failing on purpose (${t.failing}): \`fanout local fail ${t.name} --recover\` ends it`,
    );
  }
  if (status.notices && status.notices.length > 0)
    lines.push('notices:', ...status.notices.slice(-5).map((n) => `  ${n}`));
  return lines.filter((line) => line !== undefined).join('\n');
}

/**
 * The status as one line, for a live view whose output is not a terminal (a file, a CI log): the source and,
 * per running target, delivered, in flight and in the DLQ; the emulators when one is not running as started.
 */
export function renderStatusLine(status: PipelineStatus): string {
  const targets = status.targets
    .filter((t) => !t.disabled)
    .map(
      (t) =>
        `${t.name}${t.failing ? ` (failing: ${t.failing})` : ''}: ${t.delivered} delivered, ${t.inFlight} in flight, ${t.dlqRecords} in DLQ`,
    );
  const emulators = status.emulators?.filter((e) => e.state !== 'running' || e.restarts > 0) ?? [];
  return [
    `source ${status.source.stream}: ${status.source.recordsIn} in`,
    ...targets,
    ...(emulators.length > 0
      ? [
          `emulators: ${emulators.map((e) => `${e.program} ${e.state}${e.restarts ? ` (restarted ${e.restarts}x)` : ''}`).join(', ')}`,
        ]
      : []),
  ].join(' | ');
}
