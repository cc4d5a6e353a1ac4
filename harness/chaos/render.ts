import { plainTable } from '../../lib/operate/table.js';
import { type TargetAudit, unexplainedOutOfOrder } from './audit.js';
import type { ChaosReport } from './run.js';

/**
 * An ordered target's out-of-order records that count (and, after a +, those a replay delivered late); for an
 * unordered target, in parentheses, how many arrived out of order anyway: what `ordered: false` gives up.
 */
function outOfOrderCell(t: TargetAudit): string {
  if (!t.ordered) return `(${t.outOfOrder})`;
  return t.outOfOrderAfterReplay > 0
    ? `${unexplainedOutOfOrder(t)} (+${t.outOfOrderAfterReplay} replayed)`
    : String(unexplainedOutOfOrder(t));
}

/** The chaos report as the README shows it: the audit per target, then what was injected. */
export function renderChaosReport(report: ChaosReport): string {
  const audit = plainTable([
    'target',
    'type/via',
    'expected',
    'delivered',
    'missing',
    'duplicated',
    'dup: worker died after delivery',
    'dup: answer lost',
    'dup: store down',
    'dup: unexplained',
    'out of order',
    'replayed (msgs)',
    'still in DLQ',
    'poison (in DLQ)',
  ]);
  for (const t of report.targets) {
    audit.push([
      t.target,
      t.kind,
      t.expected,
      t.delivered,
      t.missing,
      t.duplicated,
      t.crashDuplicates,
      t.answerLostDuplicates,
      t.storeDuplicates,
      t.unexplainedDuplicates,
      outOfOrderCell(t),
      report.replay.messages[t.target] ?? 0,
      t.inDlq,
      `${t.poison} (${t.poisonInDlq})`,
    ]);
  }
  const injected = Object.entries(report.injected)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const lines = [
    `chaos run: ${report.records} records over ${report.keys} partition keys, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s`,
    `faults: ${report.faults.join(', ') || 'none'}`,
    audit.toString(),
    `injected: ${injected}`,
    `replayed: ${report.replay.sourceBatches} failed source batch(es); ${report.failureQueue} left in the failure queue`,
  ];
  for (const t of report.targets) {
    if (t.examples.missing.length > 0)
      lines.push(`${t.target}: missing e.g. ${t.examples.missing.join(', ')}`);
    if (t.examples.unexplained.length > 0)
      lines.push(`${t.target}: unexplained duplicates e.g. ${t.examples.unexplained.join(', ')}`);
    if (t.examples.outOfOrder.length > 0)
      lines.push(`${t.target}: out of order e.g. ${t.examples.outOfOrder.join(', ')}`);
  }
  lines.push(
    'out of order: records first delivered after a later record of their partition key; a finding at an ordered target (type/via "ordered") unless a DLQ replay delivered it; in parentheses at an unordered one.',
  );
  lines.push(
    report.ok
      ? 'OK: nothing missing, no unexplained duplicate, nothing out of order at an ordered target'
      : 'FAILED: see above',
  );
  return lines.join('\n');
}
