import { rmSync } from 'node:fs';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import pc from 'picocolors';
import { loadConfigFile } from '../config/load.js';
import { configWarnings, formatWarning } from '../config/warnings.js';
import { LOCAL_ENV_FILE, writeLocalEnv } from '../local/env-file.js';
import { type LocalPipeline, startLocalPipeline } from '../local/pipeline.js';
import { renderStatus } from '../local/status.js';
import { produceDemoRecords } from './produce.js';
import type { CommandIo } from './validate.js';

export interface LocalOptions {
  config?: string;
  portBase?: number;
  dataDir?: string;
  timeScale: number;
  demo: boolean;
  /** Demo records per second. */
  rate: number;
  /** Live view refresh, milliseconds (0: no view). */
  refreshMs: number;
  /** Stop after this many seconds (tests, benchmarks); default: until Ctrl-C. */
  duration?: number;
  /** Print every line the functions log. */
  verbose: boolean;
}

/**
 * `fanout local` (what `npm start` runs): the whole pipeline on this machine, a demo producer, and a live view
 * per target. Ctrl-C stops everything it started.
 */
export async function localCommand(options: LocalOptions, io: CommandIo): Promise<number> {
  const config = loadConfigFile(options.config);
  for (const warning of configWarnings(config)) io.err(pc.yellow(formatWarning(warning)));
  io.err(pc.dim('starting emulators (kinesalite, fauxqs, dynalite) and the local Lambda runtime...'));
  const pipeline = await startLocalPipeline({
    config,
    timeScale: options.timeScale,
    keepBodies: false,
    ...(options.portBase ? { portBase: options.portBase } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.verbose ? { onLog: (l) => io.err(pc.dim(`[${l.functionName}] ${l.line}`)) } : {}),
  });
  const envFile = writeLocalEnv({ ...pipeline.env, FANOUT_LOCAL_PID: String(process.pid) });
  io.out(describe(pipeline, envFile));

  const stopping = new AbortController();
  let stopped = false;
  const shutdown = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    stopping.abort();
    clearInterval(view);
    io.err(pc.dim('stopping...'));
    await pipeline.stop();
    rmSync(LOCAL_ENV_FILE, { force: true });
    io.err('stopped: no process left running.');
  };
  process.once('SIGINT', () => void shutdown().then(() => process.exit(130)));
  process.once('SIGTERM', () => void shutdown().then(() => process.exit(143)));

  const tty = process.stdout.isTTY;
  const view =
    options.refreshMs > 0
      ? setInterval(() => {
          pipeline
            .status()
            .then((status) =>
              io.out(
                `${tty ? '\x1b[H\x1b[2J' : ''}${renderStatus(status)}${tty ? pc.dim('\nCtrl-C to stop') : ''}`,
              ),
            )
            .catch(() => {});
        }, options.refreshMs)
      : undefined;

  if (options.demo) {
    void demoProducer(pipeline, options.rate, stopping.signal, io);
  }
  await new Promise<void>((resolve) => {
    if (options.duration) setTimeout(resolve, options.duration * 1000);
    stopping.signal.addEventListener('abort', () => resolve());
  });
  await shutdown();
  return 0;
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

function describe(pipeline: LocalPipeline, envFile: string): string {
  const lines = [
    pc.bold('kinesis-fanout local mode is running'),
    '',
    'endpoints (also in .fanout/local.env):',
    ...Object.entries(pipeline.env).map(([k, v]) => `  ${k}=${v}`),
    '',
    'targets:',
    ...pipeline.stack.targets.map(
      (t) =>
        `  ${t.name.padEnd(12)} ${`${t.type}/${t.via}`.padEnd(16)} -> ${t.disabled ? pc.yellow(`off (${t.disabled})`) : t.destination}`,
    ),
    '',
    'try it from another terminal:',
    `  source ${envFile}`,
    `  aws kinesis put-record --endpoint-url $AWS_ENDPOINT_URL_KINESIS --stream-name ${pipeline.stack.sourceStream} --partition-key k --data '{"log":"hello"}' --cli-binary-format raw-in-base64-out`,
    '  npx fanout tail output1 --local        # what arrives on a local stream or queue',
    '  npx fanout status --local --json       # the numbers below, for scripts',
    '',
  ];
  return lines.join('\n');
}
