import Table from 'cli-table3';
import type { EmulatorHealth } from './emulator-set.js';

/** One target's numbers, as the live view and `fanout status` show them. */
export interface TargetStatus {
  name: string;
  type: string;
  via: 'invoke' | 'queue';
  destination: string;
  /** Why the target is off (local mode: a type no emulator provides). */
  disabled?: string;
  /** How it was made to fail (`fanout local fail`): `HTTP 503`, `LocalTargetFailure`. */
  failing?: string;
  concurrency: number;
  /** Records the dispatcher routed to the target. */
  routed: number;
  /** Records inside envelopes the dispatcher handed off. */
  handedOff: number;
  delivered: number;
  /** Records skipped as already delivered (retries, replays). */
  skipped: number;
  /** Handed off, not yet delivered, skipped or dead-lettered (records of DLQ envelopes are never in flight). */
  inFlight: number;
  /** Retried destination calls, hand-off calls and worker invocations. */
  retried: number;
  throttled: number;
  /** Worker invocations that failed. */
  errors: number;
  /** Records waiting in the target's DLQ: those of its envelopes, and one per oversize notice. */
  dlqRecords: number;
  /** Messages (envelopes or notices) waiting in the target's DLQ, and the oldest one's age. */
  dlqMessages: number;
  dlqOldestAgeSeconds?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
}

export interface SourceStatus {
  stream: string;
  recordsIn: number;
  /** Milliseconds between the newest record read and now, when read (Kinesis IteratorAge). */
  iteratorAgeMs: number;
  /** Batches the dispatcher gave up on (on-failure records in its failure queue). */
  failureQueueMessages: number;
}

export interface PipelineStatus {
  mode: 'local' | 'aws';
  at: string;
  source: SourceStatus;
  targets: TargetStatus[];
  /** The emulators of local mode: running, restarting after they died, or failed. */
  emulators?: EmulatorHealth[];
  /** The last things the user should know of (an emulator died and came back), oldest first. */
  notices?: string[];
  /** Where local mode keeps its state (`--data-dir`); absent: in memory only. */
  dataDir?: string;
}

const ms = (v: number | undefined): string =>
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
  const head = `source ${status.source.stream}: ${status.source.recordsIn} records in, iterator age ${ms(status.source.iteratorAgeMs)}, ${status.source.failureQueueMessages} failed batch(es)  [${status.mode}, ${status.at}]`;
  const table = new Table({
    head: [
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
    ],
    style: { head: [], border: [] },
  });
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
      ms(t.latencyP50Ms),
      ms(t.latencyP99Ms),
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
