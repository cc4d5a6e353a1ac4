import pLimit from 'p-limit';
import { QueueReader, queueUrlOf } from '../queue.js';
import type { ReplayDeps, ReplayRequest } from './dlq-request.js';
import { DlqReplayRun } from './dlq-run.js';
import { quarantineQueueUrl } from './quarantine.js';
import type { ReplayReport } from './report.js';

export type { ReplayDeps, ReplayRequest } from './dlq-request.js';

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
  const dlq = names.targetDlq(target);
  const reader = new QueueReader(deps.sqs, await queueUrlOf(deps.sqs, dlq), {
    visibilityTimeoutSeconds:
      request.visibilityTimeoutSeconds ?? (request.wait ? Math.max(60, 2 * target.timeout + 30) : 60),
  });
  const depth = await reader.depth();
  request.onStart?.({ dlq, depth: depth.visible });
  const quarantineUrl =
    request.quarantine && !request.dryRun
      ? await quarantineQueueUrl(deps.sqs, request.quarantine)
      : undefined;
  const run = new DlqReplayRun(request, deps, reader, quarantineUrl);
  const inFlight = pLimit(request.concurrency ?? 4);
  while (!signal?.aborted && !reader.exhausted && (request.max === undefined || run.taken < request.max)) {
    const batch = await reader.receive(10);
    await Promise.all(batch.map((message) => inFlight(() => run.replay(message))));
  }
  return run.end();
}
