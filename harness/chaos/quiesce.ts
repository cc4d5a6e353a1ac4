import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LocalPipeline } from '../../lib/local/pipeline.js';
import { queueDepth } from '../../lib/operate/queue.js';

export interface QuiesceOptions {
  /** Records the source mapping must have read at least (every record put). */
  sourceRecords: number;
  /** Longest time without any progress (an invocation ending, records read) before giving up. */
  timeoutMs: number;
  /** Quiet polls in a row that count as quiescence (default 4, 500 ms apart). */
  quietPolls?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Waits until the pipeline has nothing left to do: the source mapping read every record and has no batch in
 * flight, no function runs, the async queues are empty (retries included), the target queues are empty
 * (visible and in flight), and nothing moved for a few polls. Throws when nothing moved for `timeoutMs` while
 * the pipeline was busy (a slow machine only makes it take longer; a stuck one fails).
 */
export async function waitForQuiescence(
  pipeline: LocalPipeline,
  sqs: SQSClient,
  options: QuiesceOptions,
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let deadline = Date.now() + options.timeoutMs;
  const queues = pipeline.stack.targets.flatMap((t) => (t.queueUrl ? [t.queueUrl] : []));
  let quiet = 0;
  let last = '';
  for (;;) {
    const stats = pipeline.runtime.stats();
    const source = stats.mappings.find((m) => m.kind === 'kinesis');
    let busy =
      (source?.received ?? 0) < options.sourceRecords ||
      stats.mappings.some((m) => m.inFlight > 0) ||
      stats.functions.some((f) => f.inFlight > 0 || f.async.queued > 0);
    if (!busy) {
      for (const url of queues) {
        const depth = await queueDepth(sqs, url).catch(() => ({ visible: 1, inFlight: 0 }));
        if (depth.visible + depth.inFlight > 0) busy = true;
      }
    }
    const progress = JSON.stringify([
      stats.functions.map((f) => f.invocations),
      stats.mappings.map((m) => m.received),
    ]);
    quiet = busy || progress !== last ? 0 : quiet + 1;
    if (progress !== last) deadline = Date.now() + options.timeoutMs;
    last = progress;
    if (quiet >= (options.quietPolls ?? 4)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the pipeline made no progress for ${options.timeoutMs} ms and is not quiet: ${JSON.stringify({
          source: source && { received: source.received, inFlight: source.inFlight },
          functions: stats.functions.map((f) => ({
            name: f.name,
            inFlight: f.inFlight,
            queued: f.async.queued,
          })),
        })}`,
      );
    }
    await sleep(500);
  }
}
