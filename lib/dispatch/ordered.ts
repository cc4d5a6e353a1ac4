import { createHash } from 'node:crypto';
import type { HandoffPort } from '../handoff/types.js';
import type { SourceRecord } from './decode.js';
import type { HandoffUnit, QueueMessage } from './handoff-unit.js';
import { addOutcome, emptyOutcome, type UnitOutcome } from './unit-outcome.js';
import { queueUnits, runUnit, type UnitRunOptions } from './units.js';

/**
 * Ordered targets (docs/routing.md). An envelope holds records of many partition keys, and a FIFO queue keeps
 * order per message group, so the dispatcher packs per group: a partition key is hashed into one of
 * `messageGroups` buckets, each bucket's records (in stream order) become the envelopes of message group
 * `g<bucket>`. Every record of a key lands in one group, and SQS hands a group's messages to one worker at a
 * time, in order. A bucket rather than the key itself: a key may be 256 Unicode characters, a MessageGroupId
 * only 128 of a restricted set, and one message per key would multiply the hand-off calls.
 */
export type OrderedUnit = Extract<HandoffUnit, { kind: 'ordered' }>;

/** FNV-1a (32-bit) over UTF-16 code units: stable across containers and releases, a few ns per record. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Message group of a partition key. A target with many destinations (`discover`) hashes the destination in,
 * so a failure for one stream holds back no other stream's records.
 */
export function messageGroupOf(partitionKey: string, groups: number, dest?: string): string {
  const key = dest === undefined ? partitionKey : `${dest}\u0000${partitionKey}`;
  return `g${fnv1a(key) % groups}`;
}

/** The records of each message group, in stream order; groups in the order they first appear. */
export function byMessageGroup(
  records: readonly SourceRecord[],
  groups: number,
  dest?: string,
): Map<string, SourceRecord[]> {
  const out = new Map<string, SourceRecord[]>();
  for (const r of records) {
    const group = messageGroupOf(r.pk, groups, dest);
    const list = out.get(group);
    if (list) list.push(r);
    else out.set(group, [r]);
  }
  return out;
}

/**
 * MessageDeduplicationId of a message: a digest of its records' positions (and of where it goes). A retried
 * dispatcher batch that packs the same envelope again sends the same id, and SQS drops the copy (5 minutes).
 */
export function deduplicationId(
  target: string,
  stream: string,
  records: readonly SourceRecord[],
  dest?: string,
): string {
  const hash = createHash('sha256').update(`${target}\u0000${dest ?? ''}\u0000${stream}`);
  for (const r of records) hash.update(`\u0000${r.shard}:${r.seq}:${r.sub ?? ''}`);
  return hash.digest('base64url');
}

/** Round n: the n-th message of every group (the round a group's message goes out in is its position). */
export function toRounds(groups: ReadonlyArray<readonly QueueMessage[]>): QueueMessage[][] {
  const rounds: QueueMessage[][] = [];
  for (const messages of groups) {
    messages.forEach((message, n) => {
      const round = rounds[n];
      if (round) round.push(message);
      else rounds.push([message]);
    });
  }
  return rounds;
}

/**
 * Runs an ordered unit round by round. Within a round each group has one message, so no SendMessageBatch call
 * holds two messages of one group (a partial failure could otherwise let a later one through). A group whose
 * message failed sends nothing more: its later records fail too ("held back"), so the dispatcher checkpoints
 * before them and Lambda hands them over again, in order.
 */
export async function runOrderedUnit(
  unit: OrderedUnit,
  port: HandoffPort,
  options: UnitRunOptions,
  maxBytes: number,
): Promise<UnitOutcome> {
  const outcome = emptyOutcome();
  const failedGroups = new Set<string>();
  for (const round of unit.rounds) {
    const held = round.filter((m) => failedGroups.has(m.group ?? ''));
    for (const m of held) outcome.failed.push(...m.records);
    if (held.length > 0) {
      outcome.reasons.push(`${held.length} envelope(s) held back behind a failed one of their message group`);
    }
    const send = round.filter((m) => !failedGroups.has(m.group ?? ''));
    const groupOf = new Map<SourceRecord, string>();
    for (const m of send) for (const r of m.records) groupOf.set(r, m.group ?? '');
    const results = await Promise.all(
      queueUnits(unit.target, unit.queueName, send, maxBytes).map((u) => runUnit(u, port, options)),
    );
    for (const r of results) {
      addOutcome(outcome, r);
      for (const record of r.failed) failedGroups.add(groupOf.get(record) ?? '');
    }
  }
  return outcome;
}
