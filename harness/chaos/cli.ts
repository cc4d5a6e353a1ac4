/**
 * `npm run chaos`: drives records through the local pipeline under faults, replays the DLQs, audits every
 * destination and prints the table (or JSON). Exit code 1 when a record is missing, a duplicate is not
 * explained by a deliver-then-die window, or an ordered target got a key's records out of order (but for a
 * DLQ replay); 2 for invalid arguments. Ctrl-C, SIGTERM, SIGHUP or its parent going away (`npm run` does not
 * pass SIGTERM on) stop everything the run started; it then exits 130, 143 or 129, as `fanout local` does.
 */
import { Command, InvalidArgumentError } from 'commander';
import { checkedOption, integer } from '../../lib/cli/options.js';
import { onStopRequest, type StopRequest } from '../../lib/cli/stop-request.js';
import { FAULT_DESCRIPTIONS, FAULTS, parseFaults } from './plan.js';
import { CHAOS_KEYS } from './records.js';
import { renderChaosReport } from './render.js';
import { type ChaosOptions, runChaos } from './run.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('chaos')
    .description('Fault injection in local mode: every record delivered once, or explained.')
    .addOption(checkedOption('--records <n>', 'records to put', integer(1, 10_000_000), 2_000))
    .addOption(
      checkedOption(
        '--targets <n>',
        'targets (kinesis ordered, http/queue, http/invoke, kinesis/invoke, http ordered, ...)',
        integer(1, 12),
        3,
      ),
    )
    .option(
      '--faults <list>',
      `all, none, or a list of: ${FAULTS.join(', ')}`,
      (v) => {
        try {
          return parseFaults(v);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
      [...FAULTS],
    )
    .addOption(checkedOption('--seed <n>', 'seed of the fault schedule', integer(0, 2 ** 32 - 1), 1))
    .addOption(
      checkedOption(
        '--keys <n>',
        `partition keys the records spread over (default ${CHAOS_KEYS}; an ordered target delivers a key's records one call after another, so a large run with few keys makes more calls)`,
        integer(1, 1_000_000),
        CHAOS_KEYS,
      ),
    )
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `\nFaults:\n${FAULTS.map((f) => `  ${f.padEnd(28)} ${FAULT_DESCRIPTIONS[f]}`).join('\n')}`,
    )
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  const o = program.opts<{
    records: number;
    targets: number;
    faults: ReturnType<typeof parseFaults>;
    seed: number;
    keys: number;
    json?: boolean;
  }>();
  return runUntilStopped(
    { records: o.records, targets: o.targets, faults: o.faults, seed: o.seed, keys: o.keys },
    o.json ?? false,
  );
}

/**
 * The run, with its phases on stderr and its report on stdout: exit 0 or 1 as the report says, or the stop
 * request's code once the run stopped everything it started.
 */
async function runUntilStopped(
  options: Omit<ChaosOptions, 'onPhase' | 'signal'>,
  json: boolean,
): Promise<number> {
  const stopping = new AbortController();
  let stopRequest: StopRequest | undefined;
  const stopRequests = onStopRequest((request) => {
    stopRequest = request;
    process.stderr.write(`chaos: stopping (${request.why})...\n`);
    stopping.abort(new Error(`chaos run stopped (${request.why})`));
  });
  try {
    const report = await runChaos({
      ...options,
      onPhase: (phase) => process.stderr.write(`chaos: ${phase}\n`),
      signal: stopping.signal,
    });
    process.stdout.write(`${json ? JSON.stringify(report, null, 2) : renderChaosReport(report)}\n`);
    return report.ok ? 0 : 1;
  } catch (error) {
    if (!stopRequest) throw error;
    process.stderr.write('chaos: stopped: no process left running.\n');
    return stopRequest.exitCode;
  } finally {
    stopRequests();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`chaos: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
