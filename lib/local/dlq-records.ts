import { classifyDlqMessage } from '../operate/replay/classify.js';

/** What a target's DLQ holds, in messages and in the records they carry. */
export interface DlqContents {
  messages: number;
  /** Records of the envelopes in it: handed off once, not delivered (or not all: see the status's inFlight). */
  envelopeRecords: number;
  /** Oversize notices: one record each, never handed off (its data is in the stream). */
  notices: number;
}

interface InspectedMessage {
  messageId: string;
  body: string;
}

interface Inspection {
  messages?: {
    ready?: InspectedMessage[];
    delayed?: InspectedMessage[];
    inflight?: Array<{ message: InspectedMessage }>;
  };
}

/**
 * Counts the records in local DLQs without receiving a message: fauxqs's inspection endpoint
 * (`GET /_fauxqs/queues/<name>`) lists every message, and each is classified as `fanout replay` does. A message's
 * count never changes, so it is cached by message id: a status every second parses each message once.
 */
export function dlqRecordCounter(
  sqsEndpoint: string,
): (queueUrl: string, target: string) => Promise<DlqContents> {
  type Counted = { records: number; notice: boolean };
  const caches = new Map<string, Map<string, Counted>>();
  return async (queueUrl, target) => {
    const name = queueUrl.split('/').at(-1) ?? '';
    const res = await fetch(`${sqsEndpoint}/_fauxqs/queues/${encodeURIComponent(name)}`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`fauxqs inspection of ${name} answered ${res.status}`);
    const { messages } = (await res.json()) as Inspection;
    const all = [
      ...(messages?.ready ?? []),
      ...(messages?.delayed ?? []),
      ...(messages?.inflight ?? []).map((entry) => entry.message),
    ];
    const contents: DlqContents = { messages: all.length, envelopeRecords: 0, notices: 0 };
    const cache = caches.get(name) ?? new Map<string, Counted>();
    // Only the messages there now: the cache never outgrows the queue.
    const current = new Map<string, Counted>();
    for (const message of all) {
      let counted = cache.get(message.messageId);
      if (!counted) {
        const entry = classifyDlqMessage({ messageId: message.messageId, body: message.body }, target);
        counted =
          entry.kind === 'envelope'
            ? { records: entry.envelope.records.length, notice: false }
            : { records: entry.kind === 'oversize' ? 1 : 0, notice: entry.kind === 'oversize' };
      }
      current.set(message.messageId, counted);
      if (counted.notice) contents.notices++;
      else contents.envelopeRecords += counted.records;
    }
    caches.set(name, current);
    return contents;
  };
}
