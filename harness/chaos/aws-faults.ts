/**
 * Fault handlers for the proxies: SQS SendMessageBatch (the dispatcher's hand-off to `via: queue` targets) and
 * Kinesis PutRecords (the workers' deliveries to Kinesis destinations). Both APIs speak JSON, so a fault is
 * either a whole-call error in the shape the SDK parses (`__type`, and for SQS the `x-amzn-query-error` header)
 * or per-entry failures: the failing entries are taken out before forwarding and put back as failed entries in
 * the answer, in their places, so the emulator applies exactly the entries reported as successful.
 */
import type { Random } from './prng.js';
import { jsonAnswer, type ProxyAnswer, type ProxyHandler, type ProxyRequest } from './proxy.js';

export interface SqsFaultOptions {
  random: Random;
  /** Whole calls refused (half 429 throttling, half 500 internal error). */
  throttleRate: () => number;
  /** Entries failed in Failed[] (SenderFault false: retryable). */
  entryFailureRate: () => number;
  /** Each SendMessageBatch that reached the queue (a hand-off). */
  onSent?: () => void;
  /** Counts what was injected: whole calls refused, entries failed. */
  onFault?: (kind: 'call' | 'entries', n: number) => void;
}

export function sqsFaults(options: SqsFaultOptions): ProxyHandler {
  return async (request, forward) => {
    if (request.operation !== 'AmazonSQS.SendMessageBatch') return forward(request);
    if (options.random() < options.throttleRate()) {
      const throttle = options.random() < 0.5;
      const code = throttle ? 'RequestThrottled' : 'InternalError';
      options.onFault?.('call', 1);
      return jsonAnswer(
        throttle ? 429 : 500,
        { __type: `com.amazonaws.sqs#${code}`, message: `chaos: ${code}` },
        { 'x-amzn-query-error': `${code};${throttle ? 'Sender' : 'Receiver'}` },
      );
    }
    const input = JSON.parse(request.body.toString('utf8')) as { Entries?: Array<{ Id: string }> };
    const entries = input.Entries ?? [];
    const failed = entries.filter(() => options.random() < options.entryFailureRate());
    if (failed.length === 0) return sent(await forward(request), options);
    options.onFault?.('entries', failed.length);
    const kept = entries.filter((e) => !failed.includes(e));
    const failures = failed.map((e) => ({
      Id: e.Id,
      SenderFault: false,
      Code: 'InternalError',
      Message: 'chaos: entry failed',
    }));
    if (kept.length === 0) return jsonAnswer(200, { Successful: [], Failed: failures });
    const answer = await forward(withBody(request, { ...input, Entries: kept }));
    if (answer.status !== 200) return answer;
    const out = JSON.parse(answer.body.toString('utf8')) as { Successful?: unknown[]; Failed?: unknown[] };
    return sent(
      jsonAnswer(200, { ...out, Failed: [...(out.Failed ?? []), ...failures] }, answer.headers),
      options,
    );
  };
}

function sent(answer: ProxyAnswer, options: SqsFaultOptions): ProxyAnswer {
  if (answer.status === 200) options.onSent?.();
  return answer;
}

/** Records a PutRecords call applied: the stream, each applied record's data, when the request arrived. */
export type OnPut = (stream: string, data: Buffer[], arrivedAt: number) => ProxyAnswer['after'] | undefined;

export interface KinesisFaultOptions {
  random: Random;
  /** Entries answered ProvisionedThroughputExceededException instead of being written. */
  entryFailureRate: () => number;
  /** Called with what the stream accepted; may return what to do once the answer is sent. */
  onPut?: OnPut;
  /** The caller never read the answer to a PutRecords that wrote `data` (it will write them again). */
  onLost?: (stream: string, data: Buffer[]) => void;
  onFault?: (failedEntries: number) => void;
}

export function kinesisFaults(options: KinesisFaultOptions): ProxyHandler {
  return async (request, forward) => {
    if (request.operation !== 'Kinesis_20131202.PutRecords') return forward(request);
    const arrivedAt = Date.now();
    const input = JSON.parse(request.body.toString('utf8')) as {
      StreamName?: string;
      Records: Array<{ Data: string }>;
    };
    const fails = input.Records.map(() => options.random() < options.entryFailureRate());
    const kept = input.Records.filter((_, i) => !fails[i]);
    if (kept.length < input.Records.length) options.onFault?.(input.Records.length - kept.length);
    let results: Array<Record<string, unknown>> = [];
    let answer: ProxyAnswer | undefined;
    if (kept.length > 0) {
      answer = await forward(fails.includes(true) ? withBody(request, { ...input, Records: kept }) : request);
      if (answer.status !== 200) return answer;
      results = (JSON.parse(answer.body.toString('utf8')) as { Records: Array<Record<string, unknown>> })
        .Records;
    }
    const applied = kept.filter((_, i) => results[i] && !results[i].ErrorCode);
    const data = applied.map((r) => Buffer.from(r.Data, 'base64'));
    const after = options.onPut?.(input.StreamName ?? '', data, arrivedAt);
    // A worker killed as the answer goes out (after) is explained by its death: one window per delivery.
    const extra: Pick<ProxyAnswer, 'after' | 'lost'> = after
      ? { after }
      : options.onLost && data.length > 0
        ? { lost: () => options.onLost?.(input.StreamName ?? '', data) }
        : {};
    if (!fails.includes(true) && answer) return { ...answer, ...extra };
    let next = 0;
    const merged = fails.map((failed) =>
      failed
        ? {
            ErrorCode: 'ProvisionedThroughputExceededException',
            ErrorMessage: 'chaos: rate exceeded for shard shardId-000000000000',
          }
        : results[next++],
    );
    const failedCount = merged.filter((r) => r?.ErrorCode).length;
    const out = jsonAnswer(
      200,
      { FailedRecordCount: failedCount, Records: merged },
      {
        'content-type': 'application/x-amz-json-1.1',
      },
    );
    return { ...out, ...extra };
  };
}

function withBody(request: ProxyRequest, body: unknown): ProxyRequest {
  return { ...request, body: Buffer.from(JSON.stringify(body)) };
}
