import { spawnSync } from 'node:child_process';
import pc from 'picocolors';
import type { LocalPipeline, LocalStopReport } from '../local/pipeline.js';

/** The major version of the installed AWS CLI (`aws --version`), or undefined when there is none. */
export function awsCliMajorVersion(run = spawnSync): number | undefined {
  try {
    const out = run('aws', ['--version'], { encoding: 'utf8', timeout: 5_000 });
    const version = /aws-cli\/(\d+)\./.exec(`${out.stdout ?? ''}${out.stderr ?? ''}`)?.[1];
    return version ? Number(version) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `aws kinesis put-record` line to try, in the form the installed CLI takes: v2 reads `--data` as base64
 * unless told `--cli-binary-format raw-in-base64-out`, an option v1 refuses ("Unknown options").
 */
export function putRecordHint(stream: string, cliMajor: number | undefined): string[] {
  const base = `aws kinesis put-record --endpoint-url $AWS_ENDPOINT_URL_KINESIS --stream-name ${stream} --partition-key k --data '{"log":"hello"}'`;
  if (cliMajor === 1) return [`  ${base}`];
  if (cliMajor !== undefined && cliMajor >= 2) return [`  ${base} --cli-binary-format raw-in-base64-out`];
  return [
    `  ${base} --cli-binary-format raw-in-base64-out`,
    '      # (no AWS CLI found: that is the v2 form; with v1 leave out --cli-binary-format raw-in-base64-out)',
  ];
}

/** What local mode keeps across a restart, said plainly at start. */
function stateLine(pipeline: LocalPipeline): string[] {
  if (!pipeline.dataDir) {
    return [
      pc.yellow(
        'state: in memory only. Stopping loses the streams, the queues and DLQs with their messages, the idempotency table and',
      ),
      pc.yellow(
        '  the async invocations waiting for a retry; `--data-dir .fanout/data` keeps them across restarts.',
      ),
    ];
  }
  const resumed = pipeline.runtime.resumed;
  const asyncEvents = Object.values(resumed.restoredAsync).reduce((a, b) => a + b, 0);
  const orphans = Object.entries(resumed.orphanedAsync);
  const restored = pipeline.emulators.sqs.restored;
  return [
    `state: kept in ${pipeline.dataDir} (streams and the mapping's checkpoints, queues and DLQs with their messages, the idempotency table, async invocations not finished)`,
    `  resumed: ${resumed.checkpoints} shard checkpoint(s), ${restored?.messages ?? 0} queued message(s), ${restored?.objects ?? 0} claim-check object(s), ${asyncEvents} async invocation(s)`,
    ...orphans.map(
      ([fn, n]) =>
        `  ${pc.yellow(`kept aside: ${n} async invocation(s) of ${fn}, which this configuration no longer has (still in ${pipeline.dataDir}/lambda/async-events.json)`)}`,
    ),
  ];
}

/** The banner `fanout local` prints once it runs. */
export function describeLocalMode(
  pipeline: LocalPipeline,
  envFile: string,
  cliMajor: number | undefined,
): string {
  const lines = [
    pc.bold(`kinesis-fanout local mode is running (pid ${process.pid})`),
    '',
    'endpoints (also in .fanout/local.env):',
    ...Object.entries(pipeline.env).map(([k, v]) => `  ${k}=${v}`),
    '',
    ...stateLine(pipeline),
    '',
    'targets:',
    ...pipeline.stack.targets.map(
      (t) =>
        `  ${t.name.padEnd(12)} ${`${t.type}/${t.via}`.padEnd(16)} -> ${t.disabled ? pc.yellow(`off (${t.disabled})`) : t.destination}`,
    ),
    '',
    'try it from another terminal:',
    `  source ${envFile}`,
    ...putRecordHint(pipeline.stack.sourceStream, cliMajor),
    '  npx fanout tail output1 --local        # what arrives on a local stream or queue, or at an http target',
    '  npx fanout local fail webhook          # make a target fail (--recover ends it), then `fanout replay`',
    '  npx fanout status --local --json       # the numbers below, for scripts',
    '',
  ];
  return lines.join('\n');
}

/** What a stop kept, or lost, of the work not finished. */
export function describeStop(report: LocalStopReport, dataDir: string | undefined): string[] {
  const asyncEvents = Object.values(report.unfinishedAsync).reduce((a, b) => a + b, 0);
  const work = `${report.queuedMessages} undelivered message(s) in hand-off queues, DLQs and the failure queue, ${asyncEvents} async invocation(s) not finished`;
  if (dataDir)
    return [`kept in ${dataDir}: ${work}; the next \`fanout local --data-dir ${dataDir}\` resumes them`];
  if (report.queuedMessages === 0 && asyncEvents === 0) return [];
  return [pc.yellow(`not kept (no --data-dir): ${work}`)];
}
