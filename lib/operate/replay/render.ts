import type Table from 'cli-table3';
import { plainTable } from '../table.js';
import type { ReplayReport } from './report.js';
import type { SourceReplayReport } from './source-report.js';

const clip = (text: string, max = 100): string => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

/** Characters of an error shown in the by-error table: enough for the reason and the destination's answer. */
const ERROR_TEXT = 1_000;

/**
 * The by-error table: the error column wraps at `width` characters instead of cutting the text, so the part that
 * says what to do (`PutRecords: ResourceNotFoundException: Stream output1 ... not found`) is there to read.
 */
function errorTable(width: number): Table.Table {
  return plainTable(['messages', 'records', 'error'], {
    colWidths: [10, 9, width + 2],
    wordWrap: true,
    wrapOnWordBoundary: false,
  });
}

/** The summary of a DLQ replay as terminal tables: outcomes, then the selected messages by error. */
export function renderReplayReport(report: ReplayReport, errorWidth = 100): string {
  const m = report.messages;
  const r = report.records;
  const lines: string[] = [
    `${report.dryRun ? 'Dry run: nothing was handed off, deleted or moved. ' : ''}DLQ ${report.dlq} -> target ${report.target} (via ${report.via}${report.wait ? ', synchronous' : ''})${report.interrupted ? ' [interrupted]' : ''}`,
  ];
  const outcomes = plainTable(['', 'messages', 'records']);
  if (report.dryRun) outcomes.push(['would be replayed', m['would-replay'], r.wouldReplay]);
  else {
    outcomes.push(['replayed', m.replayed, r.replayed]);
    outcomes.push(['  delivered now', '', r.delivered === null ? 'unknown (use --wait)' : r.delivered]);
    outcomes.push([
      '  skipped, already delivered',
      '',
      r.skipped === null ? 'unknown (use --wait)' : r.skipped,
    ]);
    outcomes.push(['failed again', m.failed, r.failed]);
  }
  outcomes.push(['not replayable', m['not-replayable'], '']);
  outcomes.push(['unparseable', m.unparseable, '']);
  if (m.quarantined > 0) outcomes.push(['moved to quarantine', m.quarantined, '']);
  outcomes.push(['not selected (filters, --max)', m['not-selected'], '']);
  if (m.interrupted > 0) outcomes.push(['interrupted (Ctrl-C)', m.interrupted, '']);
  outcomes.push(['left in place', report.leftInPlace, '']);
  lines.push(outcomes.toString());

  if (report.byError.length > 0) {
    const errors = errorTable(errorWidth);
    for (const e of report.byError.slice(0, 10))
      errors.push([e.messages, e.records, clip(e.error, ERROR_TEXT)]);
    if (report.byError.length > 10) errors.push(['', '', `... ${report.byError.length - 10} other error(s)`]);
    lines.push('By error (selected messages):', errors.toString());
  }
  lines.push(...problems(report.problems.filter((p) => p.outcome !== 'would-replay')));
  return lines.join('\n');
}

/** The summary of `replay --source`: failure records by outcome, records per target, ranges past retention. */
export function renderSourceReport(report: SourceReplayReport): string {
  const b = report.batches;
  const lines: string[] = [
    `${report.dryRun ? 'Dry run: nothing was handed off or deleted. ' : ''}Failure queue ${report.failureQueue}: ${report.recordsRead} record(s) read again from the stream${report.interrupted ? ' [interrupted]' : ''}`,
  ];
  const batches = plainTable(['failed batches', 'count']);
  if (report.dryRun) batches.push(['would be re-dispatched', b['would-redispatch']]);
  else batches.push(['re-dispatched and deleted', b.redispatched]);
  batches.push(
    ['partly past retention (kept)', b.partial],
    ['past retention (kept)', b.expired],
    ['failed again (kept)', b.failed],
    ['unparseable (kept)', b.unparseable],
  );
  if (b.interrupted > 0) batches.push(['interrupted (kept)', b.interrupted]);
  batches.push(['left in place', report.leftInPlace]);
  lines.push(batches.toString());

  const targets = plainTable([
    'target',
    'already delivered',
    report.dryRun ? 'would route' : 'routed',
    'handed off',
    'failed',
  ]);
  for (const t of report.targets) {
    if (t.excluded) targets.push([t.target, { colSpan: 4, content: `left out: ${t.excluded}` }]);
    else targets.push([t.target, t.alreadyDelivered, t.routed, t.handedOff, t.failed]);
  }
  lines.push(targets.toString());

  if (report.missing.length > 0) {
    const missing = plainTable(['shard', 'from sequence number', 'to sequence number', 'why']);
    for (const m of report.missing.slice(0, 20)) missing.push([m.shardId, m.from, m.to, clip(m.reason, 60)]);
    lines.push('Not in the stream any more:', missing.toString());
  }
  lines.push(...problems(report.problems));
  return lines.join('\n');
}

function problems(list: ReadonlyArray<{ messageId: string; outcome: string; reason: string }>): string[] {
  if (list.length === 0) return [];
  return [
    'Not replayed:',
    ...list.slice(0, 10).map((p) => `  ${p.messageId}  ${p.outcome}: ${clip(p.reason, 160)}`),
    ...(list.length > 10 ? [`  ... and ${list.length - 10} more (--json lists up to 50)`] : []),
  ];
}
