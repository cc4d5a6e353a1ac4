import { createHash } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { sleep as realSleep } from '../../aws/retry.js';
import type { ClaimCheckStore } from '../../claim-check/types.js';
import type { Naming } from '../../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../../config/schema.js';
import { encodeEnvelope } from '../../envelope/codec.js';
import type { HandoffPort } from '../../handoff/types.js';
import { QueueReader, queueUrlOf, type ReceivedMessage } from '../queue.js';
import { rateLimiter } from '../rate.js';
import { classifyDlqMessage, isSelected, type Selection } from './classify.js';
import { replayHandoff } from './handoff.js';
import { resolveNotice } from './notice.js';
import { quarantineQueueUrl, sendToQuarantine } from './quarantine.js';
import { type MessageResult, type ReplayReport, ReplayTally } from './report.js';

export interface ReplayRequest extends Selection {
  config: FanoutConfig;
  names: Naming;
  target: TargetConfig;
  /** Classify and count only: nothing is handed off, deleted or moved. */
  dryRun: boolean;
  /** Invoke the worker synchronously and report delivered / skipped (see {@link replayHandoff}). */
  wait: boolean;
  /** Take at most this many messages (that pass the selection). */
  max?: number;
  /** Hand-offs per second at most. */
  ratePerSecond?: number;
  /** Move unparseable messages to this queue (name or URL) instead of leaving them in place. */
  quarantine?: string;
  /** Default 60 s; with `wait`, long enough for the worker to finish. */
  visibilityTimeoutSeconds?: number;
  /** Hand-offs in flight at once (default 4). */
  concurrency?: number;
  /** Ctrl-C: stop taking messages, finish the hand-offs in flight, delete nothing else. */
  signal?: AbortSignal;
  /** Called once the DLQ is found, with its approximate depth (for a progress bar). */
  onStart?: (info: { dlq: string; depth: number }) => void;
  onMessage?: (result: MessageResult) => void;
}

export interface ReplayDeps {
  sqs: SQSClient;
  lambda: LambdaClient;
  kinesis: KinesisClient;
  handoff: HandoffPort;
  /**
   * The claim check's store and bucket (required with `claimCheck`, the default): a noticed record too large
   * for an envelope is stored there and replayed as a pointer.
   */
  claimCheck?: { store: ClaimCheckStore; bucket: string };
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * `fanout replay <target>`: reads the target's DLQ once through and hands every selected envelope to the
 * target again, deleting a DLQ message only after its hand-off succeeded. Replaying twice never delivers twice:
 * each record's idempotency key (target + record id) travels in the envelope and the worker skips delivered ones.
 *
 * @example
 * const report = await replayDlq({ config, names, target, dryRun: false, wait: false }, { sqs, lambda, kinesis, handoff });
 */
export async function replayDlq(request: ReplayRequest, deps: ReplayDeps): Promise<ReplayReport> {
  const { target, names, signal } = request;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const dlq = names.targetDlq(target);
  const reader = new QueueReader(deps.sqs, await queueUrlOf(deps.sqs, dlq), {
    visibilityTimeoutSeconds:
      request.visibilityTimeoutSeconds ?? (request.wait ? Math.max(60, 2 * target.timeout + 30) : 60),
  });
  const depth = await reader.depth();
  request.onStart?.({ dlq, depth: depth.visible });
  const tally = new ReplayTally({
    target: target.name,
    via: target.via,
    dlq,
    dryRun: request.dryRun,
    wait: request.wait,
  });
  const quarantineUrl =
    request.quarantine && !request.dryRun
      ? await quarantineQueueUrl(deps.sqs, request.quarantine)
      : undefined;
  const handOff = replayHandoff({
    target,
    names,
    handoff: deps.handoff,
    lambda: deps.lambda,
    wait: request.wait,
    now,
    sleep,
  });
  const limiter = rateLimiter(request.ratePerSecond, { now, sleep });
  const inFlight = pLimit(request.concurrency ?? 4);
  /** Envelopes handed off in this run: one that comes back failed again is not replayed in a loop. */
  const replayed = new Set<string>();
  const leftInPlace: string[] = [];
  let taken = 0;

  const finish = (message: ReceivedMessage, result: Omit<MessageResult, 'messageId'>): void => {
    const full = { messageId: message.messageId, ...result };
    if (result.outcome !== 'replayed' && result.outcome !== 'quarantined')
      leftInPlace.push(message.messageId);
    tally.add(full);
    request.onMessage?.(full);
  };

  const handle = async (message: ReceivedMessage): Promise<void> => {
    if (signal?.aborted)
      return finish(message, { outcome: 'interrupted', records: 0, reason: 'received as Ctrl-C came' });
    const entry = classifyDlqMessage(message, target.name);
    const records =
      entry.kind === 'envelope' ? entry.envelope.records.length : entry.kind === 'unparseable' ? 0 : 1;
    if (!isSelected(entry, request, now())) return finish(message, { outcome: 'not-selected', records });
    if (request.max !== undefined && taken >= request.max)
      return finish(message, { outcome: 'not-selected', records });
    taken++;
    const error = entry.error;

    if (entry.kind === 'unparseable') {
      if (!quarantineUrl) {
        const reason = `${entry.reason}${request.quarantine ? ' (would be quarantined)' : ''}`;
        return finish(message, { outcome: 'unparseable', records, error, reason });
      }
      try {
        await sendToQuarantine(deps.sqs, quarantineUrl, message, dlq, entry.reason);
        await reader.delete(message.messageId);
        return finish(message, { outcome: 'quarantined', records, error, reason: entry.reason });
      } catch (e) {
        const reason = `${entry.reason}; quarantine failed: ${(e as Error).message}`;
        return finish(message, { outcome: 'unparseable', records, error, reason });
      }
    }

    let body: string;
    let replayKey: string;
    if (entry.kind === 'oversize' || entry.kind === 'refused') {
      const resolved = await resolveNotice(entry.notice, {
        kinesis: deps.kinesis,
        config: request.config,
        target,
        now,
        prefix: names.prefix,
        dryRun: request.dryRun,
        ...(deps.claimCheck ? { claimCheck: deps.claimCheck } : {}),
      });
      if (!resolved.ok)
        return finish(message, { outcome: 'not-replayable', records, error, reason: resolved.reason });
      body = resolved.body;
      const { stream, shard, record } = entry.notice;
      replayKey = `${stream}/${shard}/${record.seq}/${record.sub ?? ''}`;
    } else {
      body = encodeEnvelope(entry.envelope);
      replayKey = envelopeDigest(entry.envelope.records.map((r) => r.id));
    }
    if (replayed.has(replayKey)) {
      const reason = 'came back to the DLQ during this run: the worker failed again';
      return finish(message, { outcome: 'failed', records, error, reason });
    }
    if (request.dryRun) return finish(message, { outcome: 'would-replay', records, error });
    await limiter.wait();
    if (signal?.aborted)
      return finish(message, {
        outcome: 'interrupted',
        records,
        error,
        reason: 'Ctrl-C came before its hand-off',
      });
    const result = await handOff(body);
    if (!result.ok) return finish(message, { outcome: 'failed', records, error, reason: result.reason });
    replayed.add(replayKey);
    const counts = {
      ...(result.delivered === undefined ? {} : { delivered: result.delivered }),
      ...(result.skipped === undefined ? {} : { skipped: result.skipped }),
    };
    try {
      await reader.delete(message.messageId);
      return finish(message, { outcome: 'replayed', records, error, ...counts });
    } catch (e) {
      // Handed off already: a later replay hands it off again, and the worker skips what was delivered.
      const reason = `handed off, but not deleted from the DLQ (${(e as Error).message}); replaying it again delivers nothing twice`;
      return finish(message, { outcome: 'replayed', records, error, reason, ...counts });
    }
  };

  while (!signal?.aborted && !reader.exhausted && (request.max === undefined || taken < request.max)) {
    const batch = await reader.receive(10);
    await Promise.all(
      batch.map((message) =>
        inFlight(() =>
          // Anything unexpected fails this message only; it stays in the DLQ.
          handle(message).catch((error: Error) =>
            finish(message, { outcome: 'failed', records: 0, reason: `replay error: ${error.message}` }),
          ),
        ),
      ),
    );
  }
  await reader.release(leftInPlace);
  if (signal?.aborted) tally.interrupted();
  return tally.report();
}

/** Identity of an envelope within a run: the digest of its record ids. */
function envelopeDigest(ids: readonly string[]): string {
  const hash = createHash('sha256');
  for (const id of ids) hash.update(id).update(',');
  return hash.digest('base64url');
}
