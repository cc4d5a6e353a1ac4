import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import type { TargetConfig } from '../config/schema.js';
import { awsHandoff } from '../handoff/aws.js';
import { operatorClaimCheck } from '../operate/claim-check.js';
import { parseDuration, parseFilter, parseRate } from '../operate/parse.js';
import { queueDepth, queueUrlOf } from '../operate/queue.js';
import type { QueueReplayDeps, QueueReplayRequest } from '../operate/replay/request.js';
import { interruptible, progressBar } from './interaction.js';
import { locallyDisabledTargets, openOperateContext } from './operate-context.js';
import { awsOptions, checkedOption, configOption, integer, parsedBy } from './options.js';
import type { ReplayOptions } from './replay-options.js';
import { dlqReplay, type ReplayRun, sourceReplay } from './replay-run.js';
import {
  checkReplayOptions,
  confirmReplay,
  describeReplay,
  type ReplayEnvironment,
  replayTarget,
  terminal,
} from './replay-setup.js';
import type { CommandIo } from './validate.js';

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
  // --source reads the dispatcher's failure queue, also when it re-dispatches to one target only.
  const queue = chosen && !options.source ? ctx.names.targetDlq(chosen) : ctx.names.dispatcherFailureQueue();
  const depth = await queueDepth(sqs, await queueUrlOf(sqs, queue));
  if (!options.dryRun && !options.yes && depth.visible > 0) {
    const what = describeReplay(ctx, chosen, queue, depth.visible, options);
    if (!(await confirmReplay(what, ctx, env))) {
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
    const request: QueueReplayRequest = {
      config: ctx.config,
      names: ctx.names,
      dryRun: Boolean(options.dryRun),
      signal: interrupt.signal,
      ...(options.max ? { max: options.max } : {}),
      ...(options.visibilityTimeout ? { visibilityTimeoutSeconds: options.visibilityTimeout } : {}),
    };
    const deps: QueueReplayDeps = {
      sqs,
      kinesis: ctx.clients.get(KinesisClient),
      handoff,
      ...(claimCheck ? { claimCheck } : {}),
    };
    const run: ReplayRun = { options, io, ctx, request, deps, progress };
    if (options.source) return await sourceReplay(run, chosen, disabled);
    return await dlqReplay(run, chosen as TargetConfig, queue, env);
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
        .addOption(checkedOption('-n, --max <n>', 'take at most n messages', integer(1, 1_000_000_000)))
        .addOption(
          checkedOption(
            '--rate <n/s>',
            'hand-offs per second at most, e.g. 20 or 600/m',
            parsedBy((v) => parseRate(v)),
          ),
        )
        .addOption(
          checkedOption(
            '--filter <regex>',
            'only messages whose error matches (case-insensitive)',
            parsedBy(parseFilter),
          ),
        )
        .addOption(
          checkedOption(
            '--older-than <duration>',
            'only messages that failed longer ago than this, e.g. 30m',
            parsedBy(parseDuration),
          ),
        )
        .addOption(
          checkedOption(
            '--newer-than <duration>',
            'only messages that failed more recently than this, e.g. 2h',
            parsedBy(parseDuration),
          ),
        )
        .option(
          '--wait',
          'invoke the worker synchronously: report delivered / skipped, keep what fails again in the DLQ',
        )
        .option('--quarantine [queue]', 'move unparseable messages to this queue (default: <dlq>-quarantine)')
        .addOption(checkedOption('--concurrency <n>', 'hand-offs in flight at once', integer(1, 64), 4))
        .addOption(
          checkedOption(
            '--visibility-timeout <s>',
            'seconds a received message stays hidden (what Ctrl-C leaves reappears then)',
            integer(5, 43_200),
          ),
        )
        .option('-y, --yes', 'do not ask for confirmation')
        .option('--json', 'print the report as JSON'),
    ),
  ).action(async (target: string | undefined, o: ReplayOptions) =>
    setExitCode(await replayCommand(target, o, io)),
  );
}
