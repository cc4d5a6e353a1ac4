import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type Command, Option } from 'commander';
import { ClientPool, OPERATOR_SDK_ATTEMPTS } from '../aws/clients.js';
import { sleep } from '../aws/retry.js';
import { awsOptions, checkedOption, integer } from './options.js';
import { openSession, type SessionOptions } from './session.js';
import type { TailOptions } from './tail-options.js';
import { receivedRequests, tailReceiver } from './tail-receiver.js';
import type { CommandIo } from './validate.js';

/**
 * `fanout tail`: prints the data of what arrives on a stream (every shard, GetRecords) or a queue
 * (ReceiveMessage without deleting: a message is hidden for 20 s, then visible again to its real consumer), one per
 * line; in local mode, also what the local receiver got for an http target (each request's headers, then its body).
 */
export async function tail(
  options: TailOptions,
  io: CommandIo,
  pool = new ClientPool({ maxAttempts: OPERATOR_SDK_ATTEMPTS }),
): Promise<number> {
  if (options.localControlUrl && !options.kind) {
    const received = await receivedRequests(options.localControlUrl, options.name, 0);
    if (received) return tailReceiver(options, received, io);
  }
  const kinesis = pool.get(KinesisClient);
  const sqs = pool.get(SQSClient);
  const kind = options.kind ?? (await detect(options.name, kinesis));
  let printed = 0;
  let idleSince = Date.now();
  const done = (): boolean =>
    Boolean(options.signal?.aborted) ||
    (options.max !== undefined && printed >= options.max) ||
    (options.idleSeconds !== undefined && Date.now() - idleSince > options.idleSeconds * 1000);
  const print = (text: string): void => {
    io.out(text);
    printed++;
    idleSince = Date.now();
  };

  if (kind === 'stream') {
    const shards = (await kinesis.send(new ListShardsCommand({ StreamName: options.name }))).Shards ?? [];
    const iterators = new Map<string, string | undefined>();
    for (const shard of shards) {
      const out = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: options.name,
          ShardId: shard.ShardId,
          ShardIteratorType: options.fromStart ? 'TRIM_HORIZON' : 'LATEST',
        }),
      );
      iterators.set(shard.ShardId ?? '', out.ShardIterator);
    }
    while (!done()) {
      let got = 0;
      for (const [shard, iterator] of iterators) {
        if (!iterator || done()) continue;
        const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }));
        iterators.set(shard, out.NextShardIterator);
        for (const r of out.Records ?? []) {
          if (done()) break;
          print(Buffer.from(r.Data ?? new Uint8Array()).toString());
          got++;
        }
      }
      // GetRecords allows 5 calls per second per shard.
      if (got === 0) await sleep(250);
    }
    return printed;
  }

  const url = options.name.includes('/')
    ? options.name
    : (await sqs.send(new GetQueueUrlCommand({ QueueName: options.name }))).QueueUrl;
  const seen = new Set<string>();
  while (!done()) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 20,
      }),
    );
    let fresh = 0;
    for (const m of out.Messages ?? []) {
      if (!m.MessageId || seen.has(m.MessageId) || done()) continue;
      seen.add(m.MessageId);
      print(m.Body ?? '');
      fresh++;
    }
    if (fresh === 0) await sleep(250);
  }
  return printed;
}

async function detect(name: string, kinesis: KinesisClient): Promise<'stream' | 'queue'> {
  if (name.startsWith('http')) return 'queue';
  try {
    await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return 'stream';
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return 'queue';
    throw error;
  }
}

/** What commander hands `fanout tail`'s action. */
interface TailFlags extends SessionOptions {
  type?: 'stream' | 'queue';
  fromStart?: boolean;
  max?: number;
  idle?: number;
}

/** Adds `fanout tail` to the program. */
export function registerTail(program: Command, io: CommandIo): void {
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
      .addOption(checkedOption('-n, --max <n>', 'stop after n records', integer(1, 100_000_000)))
      .addOption(
        checkedOption('--idle <s>', 'stop after s seconds without anything new', integer(1, 86_400)),
      ),
  ).action(async (name: string, o: TailFlags) => {
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
  });
}
