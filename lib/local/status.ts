import Table from 'cli-table3';

/** One target's numbers, as the live view and `fanout status` show them. */
export interface TargetStatus {
  name: string;
  type: string;
  via: 'invoke' | 'queue';
  destination: string;
  /** Why the target is off (local mode: a type no emulator provides). */
  disabled?: string;
  concurrency: number;
  /** Records the dispatcher routed to the target. */
  routed: number;
  /** Records inside envelopes the dispatcher handed off. */
  handedOff: number;
  delivered: number;
  /** Records skipped as already delivered (retries, replays). */
  skipped: number;
  /** Handed off, not yet delivered, skipped or dead-lettered. */
  inFlight: number;
  /** Retried destination calls, hand-off calls and worker invocations. */
  retried: number;
  throttled: number;
  /** Worker invocations that failed. */
  errors: number;
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
}

const ms = (v: number | undefined): string =>
  v === undefined ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;

/** The status as a terminal table. */
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
      'in DLQ',
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
      t.dlqMessages + (t.dlqOldestAgeSeconds ? ` (${t.dlqOldestAgeSeconds}s old)` : ''),
      ms(t.latencyP50Ms),
      ms(t.latencyP99Ms),
    ]);
  }
  return `${head}\n${table.toString()}`;
}
