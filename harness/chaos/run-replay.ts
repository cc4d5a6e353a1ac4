import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { dlqMessages } from './audit.js';
import type { Injector } from './injector.js';
import { waitForQuiescence } from './quiesce.js';
import { type ReplaySummary, replayEverything } from './replay.js';
import type { ChaosRun } from './run-types.js';

/**
 * Replays the DLQs and the failure queue until they stop shrinking (4 rounds at most). A worker that died holds
 * its lease on its records until its invocation would have ended: a replay before that finds them busy. Real
 * Lambda retries after 1 and 2 minutes, past any worker timeout; here wait for the leases to end, replay
 * synchronously, and go again while the DLQs shrink. `replayStartedAt`: records delivered from then on came
 * from a replay, late by design, so out of order at an ordered target.
 */
export async function replayRounds(
  run: ChaosRun,
  injector: Injector,
): Promise<{ replay: ReplaySummary; replayStartedAt: number | undefined }> {
  const { pipeline, sqs, kinesis, dynamo, phase } = run;
  const maxTimeoutMs = Math.max(...run.targets.map((t) => t.timeoutSeconds)) * 1000;
  const dlqs = [...pipeline.stack.targets.map((t) => t.dlqUrl), pipeline.stack.failureQueueUrl];
  const leftInDlqs = async (): Promise<number> =>
    (await Promise.all(dlqs.map((url) => dlqMessages(sqs, url)))).reduce((a, b) => a + b, 0);
  const replay: ReplaySummary = { messages: {}, failedAgain: {}, records: {}, sourceBatches: 0 };
  let replayStartedAt: number | undefined;
  for (let round = 1, before = await leftInDlqs(); before > 0 && round <= 4; round++) {
    const leasesFree = (injector.lastDeath() ?? 0) + maxTimeoutMs + 1_000;
    if (Date.now() < leasesFree) {
      phase(`waiting ${Math.ceil((leasesFree - Date.now()) / 1000)} s for dead workers' leases to end`);
      await new Promise((r) => setTimeout(r, leasesFree - Date.now()));
    }
    phase(`replaying the DLQs (round ${round}, ${before} message(s))`);
    replayStartedAt ??= Date.now();
    const done = await replayEverything(pipeline, {
      sqs,
      kinesis,
      lambda: pipeline.clients.get(LambdaClient),
      dynamo,
      s3: pipeline.clients.get(S3Client),
    });
    addReplay(replay, done);
    await waitForQuiescence(pipeline, sqs, run.quiesce);
    const after = await leftInDlqs();
    if (after >= before) break;
    before = after;
  }
  return { replay, replayStartedAt };
}

/** Adds one round's replay to the run's. */
function addReplay(replay: ReplaySummary, done: ReplaySummary): void {
  for (const [name, n] of Object.entries(done.messages))
    replay.messages[name] = (replay.messages[name] ?? 0) + n;
  for (const [name, n] of Object.entries(done.records))
    replay.records[name] = (replay.records[name] ?? 0) + n;
  for (const [name, reasons] of Object.entries(done.failedAgain)) {
    const all = replay.failedAgain[name] ?? new Map<string, string>();
    for (const [id, reason] of reasons) all.set(id, reason);
    replay.failedAgain[name] = all;
  }
  replay.sourceBatches += done.sourceBatches;
}
