import { createHash } from 'node:crypto';
import { sleep as realSleep } from '../../aws/retry.js';
import { encodeEnvelope } from '../../envelope/codec.js';
import type { QueueReader, ReceivedMessage } from '../queue.js';
import { type RateLimiter, rateLimiter } from '../rate.js';
import { classifyDlqMessage, type DlqEntry, isSelected } from './classify.js';
import type { ReplayDeps, ReplayRequest } from './dlq-request.js';
import { type ReplayHandoff, replayHandoff } from './handoff.js';
import { resolveNotice } from './notice.js';
import { sendToQuarantine } from './quarantine.js';
import { type MessageResult, type ReplayReport, ReplayTally } from './report.js';

type Outcome = Omit<MessageResult, 'messageId'>;
/** What a selected message carries into its outcome. */
type Taken = Pick<MessageResult, 'records' | 'error'>;
/** An envelope ready to hand off again, and its identity within the run. */
interface Replayable {
  body: string;
  replayKey: string;
}

/**
 * One run of `fanout replay <target>`: takes the DLQ's messages one by one (several at once), classifies and
 * selects each, quarantines the unparseable, hands the rest off again and deletes what was handed off. Keeps
 * the run's tally and the messages it leaves in place.
 */
export class DlqReplayRun {
  readonly #request: ReplayRequest;
  readonly #deps: ReplayDeps;
  readonly #reader: QueueReader;
  readonly #quarantineUrl: string | undefined;
  readonly #now: () => number;
  readonly #handOff: ReplayHandoff;
  readonly #limiter: RateLimiter;
  readonly #tally: ReplayTally;
  /** Envelopes handed off in this run: one that comes back failed again is not replayed in a loop. */
  readonly #replayed = new Set<string>();
  readonly #leftInPlace: string[] = [];
  #taken = 0;

  constructor(request: ReplayRequest, deps: ReplayDeps, reader: QueueReader, quarantineUrl?: string) {
    const { target } = request;
    const now = deps.now ?? Date.now;
    const sleep = deps.sleep ?? realSleep;
    this.#request = request;
    this.#deps = deps;
    this.#reader = reader;
    this.#quarantineUrl = quarantineUrl;
    this.#now = now;
    this.#tally = new ReplayTally({
      target: target.name,
      via: target.via,
      dlq: request.names.targetDlq(target),
      dryRun: request.dryRun,
      wait: request.wait,
    });
    const { names, wait } = request;
    this.#handOff = replayHandoff({
      target,
      names,
      handoff: deps.handoff,
      lambda: deps.lambda,
      wait,
      now,
      sleep,
    });
    this.#limiter = rateLimiter(request.ratePerSecond, { now, sleep });
  }

  /** Messages taken so far (selected, within `max`). */
  get taken(): number {
    return this.#taken;
  }

  /** Replays one message. Anything unexpected fails this message only; it stays in the DLQ. */
  replay(message: ReceivedMessage): Promise<void> {
    return this.#replay(message).catch((error: Error) =>
      this.#finish(message, { outcome: 'failed', records: 0, reason: `replay error: ${error.message}` }),
    );
  }

  /** Releases what the run leaves in place and adds up the report. */
  async end(): Promise<ReplayReport> {
    await this.#reader.release(this.#leftInPlace);
    if (this.#request.signal?.aborted) this.#tally.interrupted();
    return this.#tally.report();
  }

  async #replay(message: ReceivedMessage): Promise<void> {
    const request = this.#request;
    if (request.signal?.aborted)
      return this.#finish(message, { outcome: 'interrupted', records: 0, reason: 'received as Ctrl-C came' });
    const entry = classifyDlqMessage(message, request.target.name);
    const records =
      entry.kind === 'envelope' ? entry.envelope.records.length : entry.kind === 'unparseable' ? 0 : 1;
    if (!this.#take(entry)) return this.#finish(message, { outcome: 'not-selected', records });
    const taken = { records, error: entry.error };
    if (entry.kind === 'unparseable') return this.#quarantine(message, entry.reason, taken);
    const replayable = await this.#replayable(entry);
    if ('reason' in replayable)
      return this.#finish(message, { outcome: 'not-replayable', ...taken, reason: replayable.reason });
    if (this.#replayed.has(replayable.replayKey)) {
      const reason = 'came back to the DLQ during this run: the worker failed again';
      return this.#finish(message, { outcome: 'failed', ...taken, reason });
    }
    if (request.dryRun) return this.#finish(message, { outcome: 'would-replay', ...taken });
    return this.#handOffAgain(message, replayable, taken);
  }

  /** Whether the message is selected (`--filter`, `--older-than`, `--newer-than`) and within `--max`. */
  #take(entry: DlqEntry): boolean {
    const request = this.#request;
    if (!isSelected(entry, request, this.#now())) return false;
    if (request.max !== undefined && this.#taken >= request.max) return false;
    this.#taken++;
    return true;
  }

  /** An unparseable message: moved to the quarantine queue when there is one, else left in place. */
  async #quarantine(message: ReceivedMessage, why: string, taken: Taken): Promise<void> {
    if (!this.#quarantineUrl) {
      const reason = `${why}${this.#request.quarantine ? ' (would be quarantined)' : ''}`;
      return this.#finish(message, { outcome: 'unparseable', ...taken, reason });
    }
    try {
      const dlq = this.#request.names.targetDlq(this.#request.target);
      await sendToQuarantine(this.#deps.sqs, this.#quarantineUrl, message, dlq, why);
      await this.#reader.delete(message.messageId);
      return this.#finish(message, { outcome: 'quarantined', ...taken, reason: why });
    } catch (e) {
      const reason = `${why}; quarantine failed: ${(e as Error).message}`;
      return this.#finish(message, { outcome: 'unparseable', ...taken, reason });
    }
  }

  /** The envelope to hand off: the message's own, or one made from a notice's record (read again). */
  async #replayable(
    entry: Exclude<DlqEntry, { kind: 'unparseable' }>,
  ): Promise<Replayable | { reason: string }> {
    if (entry.kind === 'envelope') {
      return {
        body: encodeEnvelope(entry.envelope),
        replayKey: envelopeDigest(entry.envelope.records.map((r) => r.id)),
      };
    }
    const request = this.#request;
    const deps = this.#deps;
    const resolved = await resolveNotice(entry.notice, {
      kinesis: deps.kinesis,
      config: request.config,
      target: request.target,
      now: this.#now,
      prefix: request.names.prefix,
      dryRun: request.dryRun,
      ...(deps.claimCheck ? { claimCheck: deps.claimCheck } : {}),
    });
    if (!resolved.ok) return { reason: resolved.reason };
    const { stream, shard, record } = entry.notice;
    return { body: resolved.body, replayKey: `${stream}/${shard}/${record.seq}/${record.sub ?? ''}` };
  }

  /** Hands the envelope off (at the rate asked), then deletes the message from the DLQ. */
  async #handOffAgain(message: ReceivedMessage, replayable: Replayable, taken: Taken): Promise<void> {
    await this.#limiter.wait();
    if (this.#request.signal?.aborted)
      return this.#finish(message, {
        outcome: 'interrupted',
        ...taken,
        reason: 'Ctrl-C came before its hand-off',
      });
    const result = await this.#handOff(replayable.body);
    if (!result.ok) return this.#finish(message, { outcome: 'failed', ...taken, reason: result.reason });
    this.#replayed.add(replayable.replayKey);
    const counts = {
      ...(result.delivered === undefined ? {} : { delivered: result.delivered }),
      ...(result.skipped === undefined ? {} : { skipped: result.skipped }),
    };
    try {
      await this.#reader.delete(message.messageId);
      return this.#finish(message, { outcome: 'replayed', ...taken, ...counts });
    } catch (e) {
      // Handed off already: a later replay hands it off again, and the worker skips what was delivered.
      const reason = `handed off, but not deleted from the DLQ (${(e as Error).message}); replaying it again delivers nothing twice`;
      return this.#finish(message, { outcome: 'replayed', ...taken, reason, ...counts });
    }
  }

  #finish(message: ReceivedMessage, result: Outcome): void {
    const full = { messageId: message.messageId, ...result };
    if (result.outcome !== 'replayed' && result.outcome !== 'quarantined')
      this.#leftInPlace.push(message.messageId);
    this.#tally.add(full);
    this.#request.onMessage?.(full);
  }
}

/** Identity of an envelope within a run: the digest of its record ids. */
function envelopeDigest(ids: readonly string[]): string {
  const hash = createHash('sha256');
  for (const id of ids) hash.update(id).update(',');
  return hash.digest('base64url');
}
