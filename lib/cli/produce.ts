import { createInterface } from 'node:readline';
import { KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { ClientPool, OPERATOR_SDK_ATTEMPTS } from '../aws/clients.js';
import { backoffDelay, sleep } from '../aws/retry.js';
import { awsOptions, checkedOption, integer } from './options.js';
import { openSession, type SessionOptions } from './session.js';
import type { CommandIo } from './validate.js';

/**
 * PutRecords attempts of one batch, the first included. Kinesis refuses the entries above a shard's 1,000
 * records/s or 1 MB/s (ProvisionedThroughputExceededException) in an answer that is otherwise a success, which
 * the SDK does not retry: a producer at full rate meets that routinely, so the refused entries go again after a
 * backoff from {@link PRODUCE_BACKOFF_BASE_MS}, and only a shard that stays full this long stops the command.
 */
export const PRODUCE_ATTEMPTS = 10;
/** Base of that backoff's delay caps (100 ms × 2^attempt, up to 2 s): a shard's write limit is per second. */
export const PRODUCE_BACKOFF_BASE_MS = 100;

export interface ProduceOptions {
  stream: string;
  /** Records to generate (ignored when reading stdin). */
  count?: number;
  /** Records per second at most (0: as fast as possible). */
  rate: number;
  /** Template of generated records; `{i}` becomes the record number. */
  template: string;
  /** Partition key; `{i}` becomes the record number (default: `key-{i}`). */
  partitionKey: string;
  /** Read records from stdin, one per line. */
  stdin: boolean;
  progress: boolean;
}

/** Lines of stdin, or `count` generated records. */
async function* records(options: ProduceOptions, first: number): AsyncGenerator<string> {
  if (options.stdin) {
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line.length > 0) yield line;
    }
    return;
  }
  for (let i = first; i < first + (options.count ?? 0); i++)
    yield options.template.replaceAll('{i}', String(i));
}

/**
 * `fanout produce`: writes records with PutRecords (≤ 500 a call), retrying only the entries Kinesis refused,
 * at the given rate. Returns the number of records written.
 */
export async function produce(
  options: ProduceOptions,
  io: CommandIo,
  client?: KinesisClient,
  first = 0,
): Promise<number> {
  const kinesis = client ?? new ClientPool({ maxAttempts: OPERATOR_SDK_ATTEMPTS }).get(KinesisClient);
  const bar =
    options.progress && options.count
      ? new SingleBar({
          format: 'produce [{bar}] {value}/{total} records | {rate}/s | ETA {eta}s',
          hideCursor: true,
        })
      : undefined;
  bar?.start(options.count ?? 0, 0, { rate: 0 });
  const started = Date.now();
  let written = 0;
  let n = first;
  let batch: PutRecordsRequestEntry[] = [];
  const flush = async (): Promise<void> => {
    let pending = batch;
    batch = [];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= PRODUCE_ATTEMPTS)
        throw new Error(
          `PutRecords on ${options.stream}: ${pending.length} records still refused after ${attempt} attempts`,
        );
      if (attempt > 0) await sleep(backoffDelay(attempt, { baseMs: PRODUCE_BACKOFF_BASE_MS }));
      const out = await kinesis.send(new PutRecordsCommand({ StreamName: options.stream, Records: pending }));
      const refused = (out.Records ?? []).flatMap((r, i) =>
        r.ErrorCode ? [pending[i] as PutRecordsRequestEntry] : [],
      );
      written += pending.length - refused.length;
      pending = refused;
    }
    bar?.update(written, { rate: Math.round(written / Math.max(0.001, (Date.now() - started) / 1000)) });
  };
  for await (const data of records(options, first)) {
    batch.push({ Data: Buffer.from(data), PartitionKey: options.partitionKey.replaceAll('{i}', String(n)) });
    n++;
    // Keep to the rate: never ahead of n / rate seconds.
    const batchLimit = options.rate > 0 ? Math.max(1, Math.min(500, Math.ceil(options.rate / 10))) : 500;
    if (batch.length >= batchLimit) {
      await flush();
      if (options.rate > 0) {
        const ahead = ((n - first) / options.rate) * 1000 - (Date.now() - started);
        if (ahead > 0) await sleep(ahead);
      }
    }
  }
  if (batch.length > 0) await flush();
  bar?.stop();
  io.err(
    `produced ${written} record(s) to ${options.stream} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return written;
}

/**
 * The demo records of `fanout local`: the seed experiment's, `{"log":"Record <i>"}` under its one partition key
 * `key`, for i = first..first+count-1, at `rate` per second (0: as fast as it goes), silently. One key: the
 * ordered outputs are then the input stream record for record, as the experiment reads them (per-key order is
 * what an ordered target keeps; records of different keys may interleave otherwise).
 */
export function produceDemoRecords(
  kinesis: KinesisClient,
  stream: string,
  count: number,
  options: { rate?: number; first?: number } = {},
): Promise<number> {
  const rate = options.rate ?? 0;
  return produce(
    {
      stream,
      count,
      rate,
      template: '{"log":"Record {i}"}',
      partitionKey: 'key',
      stdin: false,
      progress: false,
    },
    { out: () => {}, err: () => {} },
    kinesis,
    options.first ?? 0,
  );
}

/** What commander hands `fanout produce`'s action. */
interface ProduceFlags extends SessionOptions {
  stream: string;
  count?: number;
  rate: number;
  template: string;
  partitionKey: string;
}

/** Adds `fanout produce` to the program. */
export function registerProduce(program: Command, io: CommandIo): void {
  awsOptions(
    program
      .command('produce')
      .description('Put records into a stream: lines of stdin, or --count generated ones.')
      .option('-s, --stream <name>', 'stream name', 'input')
      .addOption(
        checkedOption(
          '-n, --count <n>',
          'generate this many records (default: read stdin)',
          integer(1, 100_000_000),
        ),
      )
      .addOption(
        checkedOption('-r, --rate <n>', 'records per second at most (0: no limit)', integer(0, 1_000_000), 0),
      )
      .option('-t, --template <text>', 'generated record; {i} is its number', '{"log":"Record {i}"}')
      .option('-k, --partition-key <key>', 'partition key; {i} is the record number', 'key-{i}'),
  ).action(async (o: ProduceFlags) => {
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
  });
}
