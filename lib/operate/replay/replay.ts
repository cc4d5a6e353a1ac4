import type { LambdaClient } from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';
import type { TargetConfig } from '../../config/schema.js';
import { QueueReader, queueUrlOf } from '../queue.js';
import type { Selection } from './classify.js';
import { DlqReplayRun } from './dlq-run.js';
import { quarantineQueueUrl } from './quarantine.js';
import type { MessageResult, ReplayReport } from './report.js';
import type { QueueReplayDeps, QueueReplayRequest } from './request.js';

export interface ReplayRequest extends QueueReplayRequest, Selection {
  target: TargetConfig;
  /** Invoke the worker synchronously and report delivered / skipped (see `replayHandoff`). */
  wait: boolean;
  /** Hand-offs per second at most. */
  ratePerSecond?: number;
  /** Move unparseable messages to this queue (name or URL) instead of leaving them in place. */
  quarantine?: string;
  /** Hand-offs in flight at once (default 4). */
  concurrency?: number;
  /** Called once the DLQ is found, with its approximate depth (for a progress bar). */
  onStart?: (info: { dlq: string; depth: number }) => void;
  onMessage?: (result: MessageResult) => void;
}

export interface ReplayDeps extends QueueReplayDeps {
  lambda: LambdaClient;
  sleep?: (ms: number) => Promise<void>;
}

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
