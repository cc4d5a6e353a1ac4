import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerConcurrency } from './concurrency.js';
import { registerDestroy } from './destroy.js';
import { type LocalOptions, localCommand } from './local.js';
import { registerLocalFail } from './local-fail.js';
import { awsOptions, configOption, intOption, numberOption } from './options.js';
import { produce } from './produce.js';
import { registerReplay } from './replay.js';
import { explainNothingToTalkTo, openSession } from './session.js';
import { statusCommand } from './status.js';
import { tail } from './tail.js';
import { type CommandIo, validateCommand } from './validate.js';

export { intOption } from './options.js';

const defaultIo: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Builds the `fanout` program; each command sets the exit code through `setExitCode`. */
export function buildProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command('fanout')
    .description('Fan out one Kinesis stream to many targets.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('validate')
    .description('Check a configuration file and print every problem (exit code 1 if any).')
    .argument('[file]', 'configuration file (default: $FANOUT_CONFIG or ./fanout.yml)')
    .action((file: string | undefined) => setExitCode(validateCommand(file, io)));

  const local = program
    .command('local')
    .description(
      'Run the whole pipeline on this machine: emulators, local Lambda runtime, demo producer, live view.',
    )
    .option('-c, --config <file>', 'configuration file (default: $FANOUT_CONFIG or ./fanout.yml)')
    .option(
      '--port-base <port>',
      'first of 6 consecutive ports: kinesis, sqs/sns, dynamodb, lambda, status, http receiver',
      intOption('--port-base', 1024, 65_529),
    )
    .option(
      '--data-dir <dir>',
      'keep streams and checkpoints, queues and DLQs, the idempotency table and unfinished async invocations in this folder across runs',
    )
    .option(
      '--time-scale <factor>',
      "multiply Lambda's long waits (async retries after 1 and 2 min)",
      numberOption('--time-scale', 0.0001),
      0.05,
    )
    .option('--no-demo', 'do not start the demo producer')
    .option('--rate <n>', 'demo records per second', intOption('--rate', 1, 100_000), 20)
    .option(
      '--refresh <ms>',
      'live view refresh in milliseconds (0: no view)',
      intOption('--refresh', 0, 600_000),
      1_000,
    )
    .option('--duration <s>', 'stop after this many seconds', intOption('--duration', 1, 86_400))
    .option('-v, --verbose', "print the functions' log lines")
    .action(async (o: LocalOptions) => setExitCode(await localCommand(o, io)));
  registerLocalFail(local, io);

  awsOptions(
    program
      .command('produce')
      .description('Put records into a stream: lines of stdin, or --count generated ones.')
      .option('-s, --stream <name>', 'stream name', 'input')
      .option(
        '-n, --count <n>',
        'generate this many records (default: read stdin)',
        intOption('--count', 1, 100_000_000),
      )
      .option(
        '-r, --rate <n>',
        'records per second at most (0: no limit)',
        intOption('--rate', 0, 1_000_000),
        0,
      )
      .option('-t, --template <text>', 'generated record; {i} is its number', '{"log":"Record {i}"}')
      .option('-k, --partition-key <key>', 'partition key; {i} is the record number', 'key-{i}'),
  ).action(
    async (o: {
      stream: string;
      count?: number;
      rate: number;
      template: string;
      partitionKey: string;
      local?: boolean;
      region?: string;
      profile?: string;
    }) => {
      openSession(o);
      const stdin = o.count === undefined;
      if (stdin && process.stdin.isTTY)
        throw new InvalidArgumentError('give --count, or pipe records in (one per line)');
      await produce(
        {
          stream: o.stream,
          rate: o.rate,
          template: o.template,
          partitionKey: o.partitionKey,
          stdin,
          progress: Boolean(process.stderr.isTTY),
          ...(o.count ? { count: o.count } : {}),
        },
        io,
      );
    },
  );

  awsOptions(
    program
      .command('tail')
      .description(
        'Print what arrives on a stream or a queue (data only, one per line), or, in local mode, at an http target (headers and body).',
      )
      .argument('<name>', 'stream or queue name, queue URL, or (local mode) an http target')
      .addOption(
        new Option('--type <type>', 'what <name> is (default: detected)').choices(['stream', 'queue']),
      )
      .option('--from-start', 'streams: start with the oldest record (TRIM_HORIZON)')
      .option('-n, --max <n>', 'stop after n records', intOption('--max', 1, 100_000_000))
      .option('--idle <s>', 'stop after s seconds without anything new', intOption('--idle', 1, 86_400)),
  ).action(
    async (
      name: string,
      o: {
        type?: 'stream' | 'queue';
        fromStart?: boolean;
        max?: number;
        idle?: number;
        local?: boolean;
        region?: string;
        profile?: string;
      },
    ) => {
      const session = openSession(o);
      const status = session.mode === 'local' ? session.env.FANOUT_LOCAL_STATUS_URL : undefined;
      await tail(
        {
          name,
          fromStart: Boolean(o.fromStart),
          ...(status ? { localControlUrl: status.replace(/\/status$/, '') } : {}),
          ...(o.type ? { kind: o.type } : {}),
          ...(o.max ? { max: o.max } : {}),
          ...(o.idle ? { idleSeconds: o.idle } : {}),
        },
        io,
      );
    },
  );

  configOption(
    awsOptions(
      program
        .command('status')
        .description(
          'Per target: hand-off mode, concurrency, queue and DLQ depth, errors and throttles; the source iterator age.',
        )
        .option('--json', 'print JSON for scripts')
        .option('-w, --watch [seconds]', 'refresh until interrupted', intOption('--watch', 1, 3_600)),
    ),
  ).action(
    async (o: {
      json?: boolean;
      watch?: number | boolean;
      config?: string;
      local?: boolean;
      region?: string;
      profile?: string;
      stage?: string;
    }) =>
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

  registerReplay(program, io, setExitCode);
  registerConcurrency(program, io, setExitCode);
  registerDestroy(program, io, setExitCode);

  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], io: CommandIo = defaultIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Before CommanderError, which it extends: thrown by an action (a usage error found late), commander has
    // not printed it.
    if (error instanceof InvalidArgumentError) {
      io.err(`fanout: ${error.message}`);
      return 2;
    }
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.err(`fanout: ${explainNothingToTalkTo(error) ?? (error as Error).message}`);
    return 1;
  }
  return code;
}
