import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Command, InvalidArgumentError } from 'commander';
import type { TargetConfig } from '../config/schema.js';
import { awsHandoff } from '../handoff/aws.js';
import { DynamoLedger } from '../ledger/dynamo.js';
import { operatorClaimCheck } from '../operate/claim-check.js';
import { parseDuration, parseFilter, parseRate } from '../operate/parse.js';
import { queueDepth, queueUrlOf } from '../operate/queue.js';
import { quarantineQueueName } from '../operate/replay/quarantine.js';
import { renderReplayReport, renderSourceReport } from '../operate/replay/render.js';
import { replayDlq } from '../operate/replay/replay.js';
import { replaySource } from '../operate/replay/source.js';
import { interruptible, progressBar } from './interaction.js';
import { locallyDisabledTargets, openOperateContext } from './operate-context.js';
import { awsOptions, configOption, intOption, parsedOption } from './options.js';
import {
  checkReplayOptions,
  type ReplayEnvironment,
  replayTarget,
  terminal,
  waitingLambda,
} from './replay-setup.js';
import type { SessionOptions } from './session.js';
import type { CommandIo } from './validate.js';

export interface ReplayOptions extends SessionOptions {
  config?: string;
  source?: boolean;
  dryRun?: boolean;
  max?: number;
  rate?: number;
  filter?: RegExp;
  olderThan?: number;
  newerThan?: number;
  wait?: boolean;
  /** `true`: the default quarantine queue (`<dlq>-quarantine`). */
  quarantine?: string | boolean;
  concurrency?: number;
  visibilityTimeout?: number;
  yes?: boolean;
  json?: boolean;
}

/**
 * `fanout replay <target>` and `fanout replay --source`: asks for confirmation (unless `--yes` or
 * `--dry-run`; without a terminal it refuses), shows progress, prints the summary. Exit code 0 when everything
 * selected was replayed, 1 when something was left in place, 130 when interrupted.
 */
export async function replayCommand(
  target: string | undefined,
  options: ReplayOptions,
  io: CommandIo,
  env: ReplayEnvironment = terminal(),
): Promise<number> {
  checkReplayOptions(target, options);
  const ctx = openOperateContext(options, env.clients);
  const disabled = await locallyDisabledTargets(ctx.session);
  const sqs = ctx.clients.get(SQSClient);
  const handoff = awsHandoff(ctx.clients.get(LambdaClient), sqs);
  const chosen = target ? replayTarget(ctx, target, disabled) : undefined;
  const queue = chosen ? ctx.names.targetDlq(chosen) : ctx.names.dispatcherFailureQueue();
  const depth = await queueDepth(sqs, await queueUrlOf(sqs, queue));

  if (!options.dryRun && !options.yes && depth.visible > 0) {
    const what = chosen
      ? `Replay up to ${options.max ?? depth.visible} message(s) of ${queue} to target ${chosen.name} (${chosen.via === 'invoke' ? `Invoke of ${ctx.names.workerFunction(chosen.name)}` : `queue ${ctx.names.targetQueue(chosen)}`}${options.wait ? ', waiting for the worker' : ''})`
      : `Re-dispatch the ${depth.visible} failed batch(es) of ${queue} from the stream to ${chosen ? `target ${(chosen as TargetConfig).name}` : 'the targets that did not deliver them'}`;
    if (!env.interactive) {
      throw new InvalidArgumentError(
        `refusing to replay without confirmation and without a terminal to ask on: ${what}? Pass --yes, or --dry-run to see what would be replayed`,
      );
    }
    if (!(await env.confirm(`${what} [${ctx.session.mode}, stage ${ctx.session.stage}]?`))) {
      io.err('nothing replayed');
      return 1;
    }
  }

  const interrupt = env.signal ? { signal: env.signal, dispose: () => {} } : interruptible(io);
  const progress = progressBar(env.progress && !options.json, options.source ? 'failed batches' : 'messages');
  try {
    // With the claim check (the default), a replay stores a record too large for an envelope, as the dispatcher does.
    const claimCheck = await operatorClaimCheck(
      ctx.config,
      ctx.names,
      ctx.session.mode,
      ctx.clients,
      ctx.clients.get(LambdaClient),
    );
    const common = {
      config: ctx.config,
      names: ctx.names,
      dryRun: Boolean(options.dryRun),
      signal: interrupt.signal,
      ...(options.max ? { max: options.max } : {}),
      ...(options.visibilityTimeout ? { visibilityTimeoutSeconds: options.visibilityTimeout } : {}),
    };
    if (options.source) {
      const report = await replaySource(
        {
          ...common,
          ...(chosen ? { only: chosen } : {}),
          exclude: disabled,
          onStart: ({ depth }) => progress.start(depth),
          onBatch: () => progress.tick(),
        },
        {
          sqs,
          kinesis: ctx.clients.get(KinesisClient),
          handoff,
          ledger: new DynamoLedger({
            client: ctx.clients.get(DynamoDBClient),
            tableName: ctx.names.idempotencyTable(),
            ttlSeconds: ctx.config.idempotency.ttlSeconds,
          }),
          ...(claimCheck ? { claimCheck } : {}),
        },
      );
      progress.stop();
      io.out(options.json ? JSON.stringify(report, null, 2) : renderSourceReport(report));
      return report.interrupted ? 130 : report.leftInPlace > 0 && !report.dryRun ? 1 : 0;
    }
    const t = chosen as NonNullable<typeof chosen>;
    const report = await replayDlq(
      {
        ...common,
        target: t,
        wait: Boolean(options.wait),
        ...(options.rate ? { ratePerSecond: options.rate } : {}),
        ...(options.filter ? { filter: options.filter } : {}),
        ...(options.olderThan !== undefined ? { olderThanMs: options.olderThan } : {}),
        ...(options.newerThan !== undefined ? { newerThanMs: options.newerThan } : {}),
        ...(options.quarantine
          ? { quarantine: options.quarantine === true ? quarantineQueueName(queue) : options.quarantine }
          : {}),
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        onStart: ({ depth }) => progress.start(depth),
        onMessage: () => progress.tick(),
      },
      {
        sqs,
        lambda: options.wait && !env.clients ? waitingLambda(t.timeout) : ctx.clients.get(LambdaClient),
        kinesis: ctx.clients.get(KinesisClient),
        handoff,
        ...(claimCheck ? { claimCheck } : {}),
      },
    );
    progress.stop();
    io.out(options.json ? JSON.stringify(report, null, 2) : renderReplayReport(report));
    if (report.dryRun && !options.json) io.err('dry run: run again without --dry-run to replay');
    if (report.interrupted) return 130;
    return report.leftInPlace - report.messages['not-selected'] > 0 && !report.dryRun ? 1 : 0;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

/** Adds `fanout replay` to the program. */
export function registerReplay(program: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  configOption(
    awsOptions(
      program
        .command('replay')
        .description(
          "Hand a target's dead-lettered envelopes to it again; --source re-dispatches the dispatcher's failed batches from the stream.",
        )
        .argument(
          '[target]',
          'the target whose DLQ to replay (with --source: re-dispatch to this target only)',
        )
        .option('--source', "replay the dispatcher's failure queue: re-read those ranges from the stream")
        .option('--dry-run', 'classify and count (by error) only: nothing is handed off, deleted or moved')
        .option('-n, --max <n>', 'take at most n messages', intOption('--max', 1, 1_000_000_000))
        .option(
          '--rate <n/s>',
          'hand-offs per second at most, e.g. 20 or 600/m',
          parsedOption('--rate', (v) => parseRate(v)),
        )
        .option(
          '--filter <regex>',
          'only messages whose error matches (case-insensitive)',
          parsedOption('--filter', parseFilter),
        )
        .option(
          '--older-than <duration>',
          'only messages that failed longer ago than this, e.g. 30m',
          parsedOption('--older-than', parseDuration),
        )
        .option(
          '--newer-than <duration>',
          'only messages that failed more recently than this, e.g. 2h',
          parsedOption('--newer-than', parseDuration),
        )
        .option(
          '--wait',
          'invoke the worker synchronously: report delivered / skipped, keep what fails again in the DLQ',
        )
        .option('--quarantine [queue]', 'move unparseable messages to this queue (default: <dlq>-quarantine)')
        .option('--concurrency <n>', 'hand-offs in flight at once', intOption('--concurrency', 1, 64), 4)
        .option(
          '--visibility-timeout <s>',
          'seconds a received message stays hidden (what Ctrl-C leaves reappears then)',
          intOption('--visibility-timeout', 5, 43_200),
        )
        .option('-y, --yes', 'do not ask for confirmation')
        .option('--json', 'print the report as JSON'),
    ),
  ).action(async (target: string | undefined, o: ReplayOptions) =>
    setExitCode(await replayCommand(target, o, io)),
  );
}
