import type { Naming } from '../../lib/config/index.js';
import { naming } from '../../lib/config/index.js';
import { decodeEnvelope, type Envelope } from '../../lib/envelope/index.js';
import type { HandoffFailure, HandoffPort, QueueEntry } from '../../lib/handoff/index.js';

export const names: Naming = naming('fanout', 'test');

/**
 * A hand-off port double: records every call, refuses the entries `refuse` picks: for good (as SQS refuses
 * InvalidMessageContents), or retryably (as a throttled entry) with `retryable`.
 */
export class FakeHandoff implements HandoffPort {
  readonly invokes: Array<{ functionName: string; envelope: Envelope }> = [];
  readonly batches: Array<{ queue: string; entries: QueueEntry[] }> = [];
  constructor(
    private readonly refuse: (entry: QueueEntry, queue: string) => boolean = () => false,
    private readonly retryable = false,
  ) {}

  async invokeAsync(functionName: string, payload: string | Uint8Array): Promise<void> {
    this.invokes.push({ functionName, envelope: decodeEnvelope(Buffer.from(payload).toString()) });
  }

  async sendBatch(queueUrl: string, entries: readonly QueueEntry[]): Promise<HandoffFailure[]> {
    const queue = queueUrl.slice('url:'.length);
    this.batches.push({ queue, entries: [...entries] });
    return entries
      .filter((e) => this.refuse(e, queue))
      .map((e) =>
        this.retryable
          ? { id: e.id, retryable: true, reason: 'throttled by the test', code: 'RequestThrottled' }
          : { id: e.id, retryable: false, reason: 'refused by the test', code: 'InvalidMessageContents' },
      );
  }

  async queueUrl(queueName: string): Promise<string> {
    return `url:${queueName}`;
  }

  /** Envelopes of the accepted queue entries to `queue`, in the order sent. */
  queued(queue: string): Array<{ entry: QueueEntry; envelope: Envelope }> {
    return this.batches
      .filter((b) => b.queue === queue)
      .flatMap((b) => b.entries.filter((e) => !this.refuse(e, queue)))
      .map((entry) => ({ entry, envelope: decodeEnvelope(entry.body) }));
  }
}
