import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import type { ClientPool } from '../aws/clients.js';
import { collectAwsStatus } from '../operate/status/aws.js';
import {
  renderAwsStatus,
  renderAwsStatusLine,
  renderStatus,
  renderStatusLine,
} from '../operate/status/render.js';
import type { AwsPipelineStatus, PipelineStatus } from '../operate/status/types.js';
import { openOperateContext } from './operate-context.js';
import { awsOptions, checkedOption, configOption, integer } from './options.js';
import { openSession, type SessionOptions } from './session.js';
import type { CommandIo } from './validate.js';

export interface StatusOptions extends SessionOptions {
  json: boolean;
  /** Refresh every this many seconds until interrupted (0: once). */
  watch: number;
  /** Configuration file (AWS: which targets to look at). */
  config?: string;
}

export type AnyStatus = PipelineStatus | AwsPipelineStatus;

async function readLocalStatus(url: string | undefined): Promise<PipelineStatus> {
  if (!url)
    throw new Error('.fanout/local.env has no FANOUT_LOCAL_STATUS_URL: restart local mode (npm start)');
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`local status endpoint answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as PipelineStatus;
}

/** One reading: local mode from its status endpoint, AWS from the APIs and CloudWatch. */
async function readStatus(options: StatusOptions, clients?: ClientPool): Promise<AnyStatus> {
  const session = openSession(options);
  if (session.mode === 'local') return readLocalStatus(session.env.FANOUT_LOCAL_STATUS_URL);
  const ctx = openOperateContext(options, clients);
  const lambda = ctx.clients.get(LambdaClient);
  return collectAwsStatus(
    {
      config: ctx.config,
      names: ctx.names,
      stage: ctx.session.stage,
      region: options.region ?? (await lambda.config.region()),
    },
    { lambda, sqs: ctx.clients.get(SQSClient), cloudwatch: ctx.clients.get(CloudWatchClient) },
  );
}

/**
 * What one reading prints: JSON for scripts, else the table; with `--watch`, on a terminal the table in place of
 * the last one, elsewhere (a file, a CI log) one line per refresh, with the time of the reading.
 */
export function statusOutput(
  status: AnyStatus,
  options: Pick<StatusOptions, 'json' | 'watch'>,
  tty: boolean,
): string {
  if (options.json) return JSON.stringify(status, null, 2);
  const aws = 'windowMinutes' in status;
  if (options.watch && !tty)
    return `${status.at} ${aws ? renderAwsStatusLine(status) : renderStatusLine(status)}`;
  return `${options.watch ? '\x1b[H\x1b[2J' : ''}${aws ? renderAwsStatus(status) : renderStatus(status)}`;
}

/**
 * `fanout status`: per-target numbers as a table, or JSON for scripts; `--watch` refreshes. Local mode reads
 * the local pipeline (counters since it started); AWS reads the APIs and CloudWatch (counters over 15 minutes).
 */
export async function statusCommand(
  options: StatusOptions,
  io: CommandIo,
  clients?: ClientPool,
): Promise<number> {
  for (;;) {
    const status = await readStatus(options, clients);
    io.out(statusOutput(status, options, Boolean(process.stdout.isTTY)));
    if (!options.watch) return 0;
    await new Promise((r) => setTimeout(r, options.watch * 1000));
  }
}

/** What commander hands `fanout status`'s action: `--watch` alone is `true`. */
type StatusFlags = Omit<StatusOptions, 'json' | 'watch'> & { json?: boolean; watch?: number | boolean };

/** Adds `fanout status` to the program. */
export function registerStatus(program: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  configOption(
    awsOptions(
      program
        .command('status')
        .description(
          'Per target: hand-off mode, concurrency, queue and DLQ depth, errors and throttles; the source iterator age.',
        )
        .option('--json', 'print JSON for scripts')
        .addOption(checkedOption('-w, --watch [seconds]', 'refresh until interrupted', integer(1, 3_600))),
    ),
  ).action(async (o: StatusFlags) =>
    setExitCode(
      await statusCommand(
        {
          ...o,
          json: Boolean(o.json),
          watch: o.watch === true ? 2 : typeof o.watch === 'number' ? o.watch : 0,
        },
        io,
      ),
    ),
  );
}
