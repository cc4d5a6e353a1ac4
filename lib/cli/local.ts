import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Command } from 'commander';
import pc from 'picocolors';
import { loadConfigFile } from '../config/load.js';
import { configWarnings, formatWarning } from '../config/warnings.js';
import { writeLocalEnv } from '../local/env-file.js';
import { claimLocalInstance } from '../local/instance.js';
import { type LocalPipeline, startLocalPipeline } from '../local/pipeline.js';
import { renderStatus, renderStatusLine } from '../operate/status/render.js';
import { awsCliMajorVersion, describeLocalMode, describeStop } from './local-banner.js';
import { registerLocalFail } from './local-fail.js';
import { atLeast, checkedOption, configOption, integer } from './options.js';
import { produceDemoRecords } from './produce.js';
import { onStopRequest } from './stop-request.js';
import type { CommandIo } from './validate.js';

/** The options of `fanout local`, as commander parses them (lib/cli/main.ts). */
export interface LocalOptions {
  config?: string;
  portBase?: number;
  dataDir?: string;
  timeScale: number;
  demo: boolean;
  /** Demo records per second. */
  rate: number;
  /** Live view refresh, milliseconds (0: no view). */
  refresh: number;
  /** Stop after this many seconds (tests, benchmarks); default: until Ctrl-C. */
  duration?: number;
  /** Print every line the functions log. */
  verbose?: boolean;
}

/**
 * `fanout local` (what `npm start` runs): the whole pipeline on this machine, a demo producer, and a live view
 * per target. Stops everything it started on Ctrl-C, SIGTERM or SIGHUP, and when its parent goes away (npm does
 * not pass SIGTERM on to its script). One instance per folder: a second refuses, naming the first.
 */
export async function localCommand(options: LocalOptions, io: CommandIo): Promise<number> {
  // `--config ''` names no file: the default applies, as when it is left out.
  const config = loadConfigFile(options.config || undefined);
  for (const warning of configWarnings(config)) io.err(pc.yellow(formatWarning(warning)));
  const instance = claimLocalInstance();
  let pipeline: LocalPipeline;
  try {
    io.err(pc.dim('starting emulators (kinesalite, fauxqs, dynalite) and the local Lambda runtime...'));
    pipeline = await startLocalPipeline({
      config,
      timeScale: options.timeScale,
      keepBodies: false,
      onNotice: (text) => io.err(pc.yellow(`[local mode] ${text}`)),
      ...(options.portBase ? { portBase: options.portBase } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.verbose ? { onLog: (l) => io.err(pc.dim(`[${l.functionName}] ${l.line}`)) } : {}),
    });
  } catch (error) {
    instance.release();
    throw error;
  }
  const envFile = writeLocalEnv({ ...pipeline.env, FANOUT_LOCAL_PID: String(process.pid) });
  io.out(describeLocalMode(pipeline, envFile, awsCliMajorVersion()));

  const stopping = new AbortController();
  let view: NodeJS.Timeout | undefined;
  let stopped: Promise<void> | undefined;
  const shutdown = (why?: string): Promise<void> => {
    stopped ??= (async () => {
      stopping.abort();
      clearInterval(view);
      io.err(pc.dim(`stopping${why ? ` (${why})` : ''}...`));
      const report = await pipeline.stop();
      instance.release();
      for (const line of describeStop(report, options.dataDir)) io.err(line);
      io.err('stopped: no process left running.');
    })();
    return stopped;
  };
  onStopRequest(({ why, exitCode }) => void shutdown(why).then(() => process.exit(exitCode)));

  if (options.refresh > 0) view = liveView(pipeline, options.refresh, io);
  if (options.demo) void demoProducer(pipeline, options.rate, stopping.signal, io);
  await new Promise<void>((resolve) => {
    if (options.duration) setTimeout(resolve, options.duration * 1000);
    stopping.signal.addEventListener('abort', () => resolve());
  });
  await shutdown();
  return 0;
}

/**
 * Every `refreshMs`: on a terminal, the whole table in place; otherwise (a file, a CI log) one line, printed
 * only when it changed.
 */
function liveView(pipeline: LocalPipeline, refreshMs: number, io: CommandIo): NodeJS.Timeout {
  const tty = Boolean(process.stdout.isTTY);
  let last = '';
  return setInterval(() => {
    pipeline
      .status()
      .then((status) => {
        if (tty) {
          io.out(`\x1b[H\x1b[2J${renderStatus(status)}${pc.dim('\nCtrl-C to stop')}`);
          return;
        }
        const line = renderStatusLine(status);
        if (line === last) return;
        last = line;
        io.out(`${status.at} ${line}`);
      })
      .catch(() => {});
  }, refreshMs);
}

/** Writes `{"log":"Record <i>"}` to the source stream at `rate` per second until stopped. */
async function demoProducer(
  pipeline: LocalPipeline,
  rate: number,
  signal: AbortSignal,
  io: CommandIo,
): Promise<void> {
  const kinesis = pipeline.clients.get(KinesisClient);
  let i = 0;
  while (!signal.aborted) {
    const start = i;
    i += rate;
    await produceDemoRecords(kinesis, pipeline.stack.sourceStream, rate, { rate, first: start }).catch(
      (error: Error) => {
        if (!signal.aborted) io.err(`demo producer: ${error.message}`);
      },
    );
  }
}

/** Adds `fanout local` and its `fail` subcommand to the program. */
export function registerLocal(program: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  const command = program
    .command('local')
    .description(
      'Run the whole pipeline on this machine: emulators, local Lambda runtime, demo producer, live view.',
    );
  const local = configOption(command)
    .addOption(
      checkedOption(
        '--port-base <port>',
        'first of 6 consecutive ports: kinesis, sqs/sns, dynamodb, lambda, status, http receiver',
        integer(1024, 65_529),
      ),
    )
    .option(
      '--data-dir <dir>',
      'keep streams and checkpoints, queues and DLQs, the idempotency table and unfinished async invocations in this folder across runs',
    )
    .addOption(
      checkedOption(
        '--time-scale <factor>',
        "multiply Lambda's long waits (async retries after 1 and 2 min)",
        atLeast(0.0001),
        0.05,
      ),
    )
    .option('--no-demo', 'do not start the demo producer')
    .addOption(checkedOption('--rate <n>', 'demo records per second', integer(1, 100_000), 20))
    .addOption(
      checkedOption(
        '--refresh <ms>',
        'live view refresh in milliseconds (0: no view)',
        integer(0, 600_000),
        1_000,
      ),
    )
    .addOption(checkedOption('--duration <s>', 'stop after this many seconds', integer(1, 86_400)))
    .option('-v, --verbose', "print the functions' log lines")
    .action(async (o: LocalOptions) => setExitCode(await localCommand(o, io)));
  registerLocalFail(local, io);
}
