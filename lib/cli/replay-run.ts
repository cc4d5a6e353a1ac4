/** Runs the replay `fanout replay` asked for (a target's DLQ, or `--source`), and prints its report. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { TargetConfig } from '../config/schema.js';
import { DynamoLedger } from '../ledger/dynamo.js';
import { quarantineQueueName } from '../operate/replay/quarantine.js';
import { renderReplayReport, renderSourceReport } from '../operate/replay/render.js';
import { replayDlq } from '../operate/replay/replay.js';
import type { QueueReplayDeps, QueueReplayRequest } from '../operate/replay/request.js';
import { replaySource } from '../operate/replay/source.js';
import type { Progress } from './interaction.js';
import type { OperateContext } from './operate-context.js';
import type { ReplayOptions } from './replay-options.js';
import { type ReplayEnvironment, waitingLambda } from './replay-setup.js';
import type { CommandIo } from './validate.js';

/** What the command hands either replay: its options and output, the context, and what both replays take. */
export interface ReplayRun {
  options: ReplayOptions;
  io: CommandIo;
  ctx: OperateContext;
  request: QueueReplayRequest;
  deps: QueueReplayDeps;
  progress: Progress;
}

/** `--source`: re-dispatches the failure queue's ranges; exit code 1 when a range was left in place. */
export async function sourceReplay(
  run: ReplayRun,
  chosen: TargetConfig | undefined,
  disabled: ReadonlyMap<string, string>,
): Promise<number> {
  const { ctx, progress, options, io } = run;
  const report = await replaySource(
    {
      ...run.request,
      ...(chosen ? { only: chosen } : {}),
      exclude: disabled,
      onStart: ({ depth }) => progress.start(depth),
      onBatch: () => progress.tick(),
    },
    {
      ...run.deps,
      ledger: new DynamoLedger({
        client: ctx.clients.get(DynamoDBClient),
        tableName: ctx.names.idempotencyTable(),
        ttlSeconds: ctx.config.idempotency.ttlSeconds,
      }),
    },
  );
  progress.stop();
  io.out(options.json ? JSON.stringify(report, null, 2) : renderSourceReport(report));
  return report.interrupted ? 130 : report.leftInPlace > 0 && !report.dryRun ? 1 : 0;
}

/** A target's DLQ; exit code 1 when a selected message was left in place. */
export async function dlqReplay(
  run: ReplayRun,
  target: TargetConfig,
  dlq: string,
  env: ReplayEnvironment,
): Promise<number> {
  const { ctx, progress, options, io } = run;
  const report = await replayDlq(
    {
      ...run.request,
      target,
      wait: Boolean(options.wait),
      ...(options.rate ? { ratePerSecond: options.rate } : {}),
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.olderThan !== undefined ? { olderThanMs: options.olderThan } : {}),
      ...(options.newerThan !== undefined ? { newerThanMs: options.newerThan } : {}),
      ...(options.quarantine
        ? { quarantine: options.quarantine === true ? quarantineQueueName(dlq) : options.quarantine }
        : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      onStart: ({ depth }) => progress.start(depth),
      onMessage: () => progress.tick(),
    },
    {
      ...run.deps,
      lambda: options.wait && !env.clients ? waitingLambda(target.timeout) : ctx.clients.get(LambdaClient),
    },
  );
  progress.stop();
  io.out(options.json ? JSON.stringify(report, null, 2) : renderReplayReport(report));
  if (report.dryRun && !options.json) io.err('dry run: run again without --dry-run to replay');
  if (report.interrupted) return 130;
  return report.leftInPlace - report.messages['not-selected'] > 0 && !report.dryRun ? 1 : 0;
}
