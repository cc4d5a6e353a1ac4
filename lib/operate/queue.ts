import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DlqMessage } from './replay/classify.js';

/** A message received from a queue, with the receipt handle that deletes or releases it. */
export interface ReceivedMessage extends DlqMessage {
  receiptHandle: string;
}

export interface QueueReaderOptions {
  /**
   * Seconds a received message stays hidden. Short on purpose: whatever a run received and did not finish
   * (Ctrl-C, a crash) is visible again that soon, never lost.
   */
  visibilityTimeoutSeconds: number;
  /** Long-poll wait per receive (long polling asks every SQS server, so an empty answer means empty). */
  waitTimeSeconds?: number;
  /** Receives in a row that bring only messages seen before, before the queue counts as read through (default 2). */
  seenReceives?: number;
}

/**
 * Reads a queue once through, for a replay: each message is handed out once per run even when its visibility
 * timeout runs out and SQS delivers it again (it is then hidden again, and its newest receipt handle kept,
 * the only one that can delete it). Messages the run leaves in place are released at the end.
 */
export class QueueReader {
  readonly #sqs: SQSClient;
  readonly url: string;
  readonly #options: Required<QueueReaderOptions>;
  /** Newest receipt handle of every message seen in this run. */
  readonly #handles = new Map<string, string>();
  #seen = 0;
  #empty = false;

  constructor(sqs: SQSClient, url: string, options: QueueReaderOptions) {
    this.#sqs = sqs;
    this.url = url;
    this.#options = { waitTimeSeconds: 1, seenReceives: 2, ...options };
  }

  /**
   * True once the queue is read through: a long poll came back empty (it asks every SQS server, so nothing is
   * visible), or receives keep bringing only messages this run has seen.
   */
  get exhausted(): boolean {
    return this.#empty || this.#seen >= this.#options.seenReceives;
  }

  /** Messages waiting (visible) and received by someone (in flight), approximately, as SQS counts them. */
  depth(): Promise<QueueDepth> {
    return queueDepth(this.#sqs, this.url);
  }

  /**
   * Up to `max` (≤ 10) messages this run has not handed out yet. Not abortable on purpose: the long poll lasts
   * `waitTimeSeconds` (1 s), and an aborted receive could hide messages that nobody handles until their timeout.
   */
  async receive(max: number): Promise<ReceivedMessage[]> {
    const out = await this.#sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.url,
        MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
        VisibilityTimeout: this.#options.visibilityTimeoutSeconds,
        WaitTimeSeconds: this.#options.waitTimeSeconds,
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh: ReceivedMessage[] = [];
    for (const m of out.Messages ?? []) {
      if (!m.MessageId || !m.ReceiptHandle) continue;
      if (!this.#handles.has(m.MessageId)) fresh.push(toReceived(m));
      this.#handles.set(m.MessageId, m.ReceiptHandle);
    }
    // Seen before: the receive hid it again for the visibility timeout; it is not handed out twice.
    this.#empty = (out.Messages ?? []).length === 0 && this.#options.waitTimeSeconds > 0;
    this.#seen = fresh.length === 0 ? this.#seen + 1 : 0;
    return fresh;
  }

  /** Deletes a message by its newest receipt handle. Throws the SDK error when SQS refuses. */
  async delete(messageId: string): Promise<void> {
    const handle = this.#handles.get(messageId);
    if (!handle) throw new Error(`message ${messageId} was not received in this run`);
    await this.#sqs.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: handle }));
    this.#handles.delete(messageId);
  }

  /** Makes messages visible again right away (left in place). Best effort: they reappear after the timeout anyway. */
  async release(messageIds: readonly string[]): Promise<void> {
    const handles = messageIds.flatMap((id) => {
      const handle = this.#handles.get(id);
      return handle ? [handle] : [];
    });
    for (let i = 0; i < handles.length; i += 10) {
      await this.#sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.url,
            Entries: handles
              .slice(i, i + 10)
              .map((handle, n) => ({ Id: String(n), ReceiptHandle: handle, VisibilityTimeout: 0 })),
          }),
        )
        .catch(() => {});
    }
  }
}

function toReceived(m: Message): ReceivedMessage {
  const messageAttributes: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(m.MessageAttributes ?? {})) {
    if (attribute.StringValue !== undefined) messageAttributes[name] = attribute.StringValue;
  }
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: { ...(m.Attributes ?? {}) },
    messageAttributes,
  };
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
}

/** ApproximateNumberOfMessages (visible) and ...NotVisible (received, not yet deleted) of a queue. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<QueueDepth> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** The URL of a queue by name (never built by hand: emulators use other forms). */
export async function queueUrlOf(sqs: SQSClient, name: string): Promise<string> {
  const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!out.QueueUrl) throw new Error(`GetQueueUrl ${name} returned no URL`);
  return out.QueueUrl;
}
