import type { SourceRecord } from './decode.js';

/**
 * One hand-off call's worth of work: an envelope for `Invoke`, or up to 10 messages for `SendMessageBatch`
 * (envelopes to a target queue, or oversize-record notices to a target DLQ).
 */
export type HandoffUnit =
  | {
      kind: 'invoke';
      target: string;
      functionName: string;
      payload: Uint8Array;
      bytes: number;
      records: SourceRecord[];
    }
  | {
      kind: 'queue';
      target: string;
      queueName: string;
      /** `dlq`: oversize-record notices to the target's DLQ rather than envelopes to its queue. */
      purpose: 'handoff' | 'dlq';
      messages: QueueMessage[];
    }
  | {
      /**
       * An ordered target's envelopes to its FIFO queue, in rounds: round n holds the n-th envelope of each
       * message group, and a group whose envelope failed sends nothing in later rounds (see ordered.ts).
       */
      kind: 'ordered';
      target: string;
      queueName: string;
      rounds: QueueMessage[][];
    };

/** A unit that is one call (with its retries): what `runUnit` (units.ts) runs. */
export type CallUnit = Exclude<HandoffUnit, { kind: 'ordered' }>;

export interface QueueMessage {
  body: string;
  bytes: number;
  /** Records this message stands for: on failure the dispatcher checkpoints at the lowest of them. */
  records: SourceRecord[];
  /** FIFO queues (ordered targets): message group and deduplication id. */
  group?: string;
  dedupId?: string;
}
