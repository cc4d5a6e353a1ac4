import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { InvocationEvent } from '../../lib/lambda-emulator/events.js';
import type { ContainerLogLine } from '../../lib/lambda-emulator/types.js';
import { recordIndexOf } from './records.js';

/**
 * Debugging aids for `CHAOS_DEBUG=1` runs: why each record sits in a DLQ, and the error and warning lines
 * the workers wrote, so that an unexplained duplicate can be traced to what its first worker saw.
 */
export interface DlqReason {
  /** Lambda's destination record: the function's last error type and message. */
  errorType: string;
  errorMessage: string;
  /** Records of the envelope, by chaos index. */
  records: number[];
}

/**
 * Reads every message of a DLQ without consuming it (each is made visible again), and the envelope's records
 * and error from Lambda's destination record format; a redriven queue message has only the envelope.
 */
export async function dlqReasons(sqs: SQSClient, queueUrl: string): Promise<DlqReason[]> {
  const seen = new Map<string, DlqReason>();
  const handles: string[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages) {
      if (m.ReceiptHandle) handles.push(m.ReceiptHandle);
      if (!m.MessageId || seen.has(m.MessageId)) continue;
      seen.set(m.MessageId, reasonOf(m.Body ?? ''));
    }
  }
  for (const handle of handles)
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }),
    );
  return [...seen.values()];
}

function reasonOf(body: string): DlqReason {
  let parsed: {
    requestPayload?: { records?: Array<{ d?: string }> };
    requestContext?: { condition?: string };
    responsePayload?: { errorType?: string; errorMessage?: string };
    records?: Array<{ d?: string }>;
  };
  try {
    parsed = JSON.parse(body);
  } catch {
    return { errorType: 'unparsable', errorMessage: body.slice(0, 200), records: [] };
  }
  const envelope = parsed.requestPayload ?? parsed;
  const records = (envelope.records ?? [])
    .map((r) => (r.d === undefined ? undefined : recordIndexOf(Buffer.from(r.d, 'base64'))))
    .filter((i): i is number => i !== undefined);
  return {
    errorType:
      parsed.responsePayload?.errorType ??
      parsed.requestContext?.condition ??
      (parsed.requestPayload ? 'none' : 'redriven message'),
    errorMessage: parsed.responsePayload?.errorMessage ?? '',
    records,
  };
}

/** Keeps the workers' error and warning lines (not metrics, not info), with the time they arrived. */
export class WorkerLogs {
  readonly lines: Array<{ at: number; functionName: string; line: string }> = [];
  readonly collect = (line: ContainerLogLine): void => {
    if (!/"level":"(ERROR|WARN)"|\tERROR\t|Invoke Error|Task timed out/.test(line.line)) return;
    this.lines.push({ at: Date.now(), functionName: line.functionName, line: line.line.slice(0, 600) });
  };

  /** A finished invocation: a function error is kept with its type and message. */
  readonly invocation = (event: InvocationEvent): void => {
    if (!event.error) return;
    this.lines.push({
      at: Date.now(),
      functionName: event.functionName,
      line: `function error (${event.source}, ${event.durationMs} ms): ${event.error.errorType}: ${String(event.error.errorMessage).slice(0, 400)}`,
    });
  };

  /** Lines of `functionName` from `from` to `to` (epoch ms). */
  near(functionName: string, from: number, to: number): string[] {
    return this.lines
      .filter((l) => l.functionName === functionName && l.at >= from && l.at <= to)
      .map((l) => `${l.at} ${l.line}`);
  }
}
