/** One message of a SendMessageBatch call. */
export interface QueueEntry {
  /** Unique within the call, [A-Za-z0-9_-]{1,80}. */
  id: string;
  body: string;
  /** FIFO queues: the message group, whose messages SQS hands out in order, one batch at a time. */
  groupId?: string;
  /** FIFO queues: SQS drops a message with the same id sent within 5 minutes (a retried hand-off). */
  deduplicationId?: string;
}

/** An entry (or call) that was not accepted, and whether trying again can help. */
export interface HandoffFailure {
  id: string;
  retryable: boolean;
  reason: string;
  /** The service's error code (`InvalidMessageContents`, `KMS.AccessDeniedException`, ...), when it gave one. */
  code?: string;
}

/**
 * How the dispatcher hands work off. Never waits on a destination: an `Event` invoke returns when Lambda has
 * queued the event, a SendMessageBatch when SQS has stored the messages.
 */
export interface HandoffPort {
  /** Lambda `Invoke` with `InvocationType: 'Event'`. Throws {@link HandoffError}. */
  invokeAsync(functionName: string, payload: string | Uint8Array): Promise<void>;
  /** SQS `SendMessageBatch` (≤ 10 entries, ≤ 1 MiB). Returns the entries SQS refused. Throws {@link HandoffError}. */
  sendBatch(queueUrl: string, entries: readonly QueueEntry[]): Promise<HandoffFailure[]>;
  /** Queue URL of a queue name, resolved once and cached (never built by hand: emulators use other forms). */
  queueUrl(queueName: string): Promise<string>;
}
