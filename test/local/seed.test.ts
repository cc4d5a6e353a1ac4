/**
 * The question this project answers (/work/shared/seed-how-to-fanout-a-kinesis-stream.txt): copy stream `input`
 * to `output1` and `output2`, put `{"log": "Record i"}` under partition key "key", read both outputs from
 * TRIM_HORIZON and get `[Record 0, Record 1, ...]` back, record for record. Run on local mode with the example
 * fanout.yml (what `npm start` runs), whose kinesis targets keep each partition key's order by default. Every
 * assertion on order is on an ordered target; the unordered ones (audit: a standard queue, webhook: async
 * invoke) are checked for every record once, in any order.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type _Record, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { readStream } from '../../harness/support/aws.js';
import { loadConfigFile } from '../../lib/config/index.js';
import { useLocalPipeline } from '../support/local-pipeline.js';
import { decodeMessage, receiveAll } from '../targets/queue-reader.js';
import { waitFor } from './support.js';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../../fanout.yml', import.meta.url));
const OUTPUTS = ['output1', 'output2'] as const;

let kinesis: KinesisClient;
/** A python3 that has boto3, or why there is none. */
let python: { command: string } | { missing: string };

const pipeline = useLocalPipeline(
  async () => {
    const config = loadConfigFile(EXAMPLE);
    // What the example promises, before relying on it.
    expect(config.targets.filter((t) => t.ordered).map((t) => t.name)).toEqual([...OUTPUTS]);
    return { config, timeScale: 0.01 };
  },
  {
    timeoutMs: 120_000,
    ready: async (pipeline) => {
      kinesis = pipeline.clients.get(KinesisClient);
      python = { missing: 'python3 with boto3 is not installed (apt-get install python3-boto3)' };
      for (const command of ['/usr/bin/python3', 'python3']) {
        try {
          await run(command, ['-c', 'import boto3']);
          python = { command };
          break;
        } catch {}
      }
    },
  },
);

const text = (r: _Record): string => Buffer.from(r.Data ?? new Uint8Array()).toString();

/** The data of every record of `partitionKey` on a stream, in stream order. */
async function copiesOf(stream: string, partitionKey: string): Promise<string[]> {
  return (await readStream(kinesis, stream)).filter((r) => r.PartitionKey === partitionKey).map(text);
}

async function waitForCopies(partitionKeys: string[], count: number): Promise<void> {
  await waitFor(
    async () => {
      for (const stream of OUTPUTS) {
        const records = (await readStream(kinesis, stream)).filter((r) =>
          partitionKeys.includes(r.PartitionKey ?? ''),
        );
        if (records.length < count) return false;
      }
      return true;
    },
    120_000,
    `${count} records of ${partitionKeys.join(', ')} on ${OUTPUTS.join(' and ')}`,
  );
}

/** Every record once, in any order, at the unordered targets (the audit queue and the webhook). */
async function expectUnorderedCopies(expected: string[], isMine: (data: string) => boolean): Promise<void> {
  await waitFor(
    async () =>
      pipeline()
        .receiver.received('/webhook')
        .filter((r) => isMine(r.body.toString())).length >= expected.length,
    120_000,
    'webhook',
  );
  const hooked = pipeline()
    .receiver.received('/webhook')
    .map((r) => r.body.toString())
    .filter(isMine);
  expect(hooked.sort()).toEqual([...expected].sort());
  const audit = pipeline().stack.destinationQueues.get('audit') ?? '';
  const queued = (await receiveAll(pipeline().clients.get(SQSClient), audit, expected.length + 10))
    .map((m) => Buffer.from(decodeMessage(m).data, 'hex').toString())
    .filter(isMine);
  expect(queued.sort()).toEqual([...expected].sort());
}

/** PutRecords in calls of `perCall`, as a producer batches, each call after the last one's answer. */
async function putRecords(records: Array<{ key: string; data: string }>, perCall: number): Promise<void> {
  for (let i = 0; i < records.length; i += perCall) {
    const out = await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'input',
        Records: records
          .slice(i, i + perCall)
          .map((r) => ({ PartitionKey: r.key, Data: Buffer.from(r.data) })),
      }),
    );
    expect(out.FailedRecordCount ?? 0).toBe(0);
  }
}

// The seed's producer, reader and check, in boto3 (the seed used boto 2: same calls), against local mode.
const SEED_PUT = `import boto3, json, os, sys
k = boto3.client('kinesis', endpoint_url=os.environ['AWS_ENDPOINT_URL_KINESIS'])
for i in range(int(sys.argv[1])):
    k.put_record(StreamName='input', Data=json.dumps({'log': 'Record ' + str(i)}), PartitionKey='key')
`;
const SEED_READ = `import boto3, json, os, sys
k = boto3.client('kinesis', endpoint_url=os.environ['AWS_ENDPOINT_URL_KINESIS'])
out = {}
for stream in sys.argv[1:]:
    it = k.get_shard_iterator(StreamName=stream, ShardId='shardId-000000000000', ShardIteratorType='TRIM_HORIZON')['ShardIterator']
    out[stream] = []
    while True:
        page = k.get_records(ShardIterator=it, Limit=10000)
        out[stream] += [r['Data'].decode() for r in page['Records']]
        if not page['Records'] and page.get('MillisBehindLatest', 0) == 0:
            break
        it = page['NextShardIterator']
print(json.dumps(out))
`;

describe('the seed experiment on local mode (example fanout.yml)', () => {
  it('boto3: put {"log": "Record i"} under "key" one by one; output1 and output2 read back every record once, in order', async (context) => {
    if ('missing' in python) {
      context.skip(python.missing);
      return;
    }
    const N = 100;
    const env = { ...process.env, ...pipeline().env };
    await run(python.command, ['-c', SEED_PUT, String(N)], { env });
    await waitForCopies(['key'], N);
    const { stdout } = await run(python.command, ['-c', SEED_READ, ...OUTPUTS], { env });
    const read = JSON.parse(stdout) as Record<string, string[]>;
    // Nothing else was put before: each output is exactly the experiment's records, in the order they were put.
    const expected = Array.from({ length: N }, (_, i) => `{"log": "Record ${i}"}`);
    for (const stream of OUTPUTS) expect(read[stream], stream).toEqual(expected);
    await expectUnorderedCopies(expected, (d) => d.startsWith('{"log": "Record '));
  }, 240_000);

  it('many records under ONE partition key, put by concurrent producers, arrive once and in input order on both outputs', async () => {
    const N = 1_000;
    const data = (i: number): string => `{"log":"Record ${i}","one":1}`;
    // 40 PutRecords calls in flight at once: the dispatcher gets batch after batch, as from a busy producer.
    await Promise.all(
      Array.from({ length: N / 25 }, (_, c) =>
        putRecords(
          Array.from({ length: 25 }, (_, k) => ({ key: 'one-key', data: data(c * 25 + k) })),
          25,
        ),
      ),
    );
    await waitForCopies(['one-key'], N);
    // Input order: the order of the source stream, whatever order the calls were answered in.
    const input = await copiesOf('input', 'one-key');
    expect(input).toHaveLength(N);
    for (const stream of OUTPUTS) expect(await copiesOf(stream, 'one-key'), stream).toEqual(input);
    await expectUnorderedCopies(input, (d) => d.endsWith('"one":1}'));
  }, 240_000);

  it('a handful of partition keys, interleaved: each key’s records arrive once and in order on both outputs', async () => {
    const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];
    const N = 500;
    const records = Array.from({ length: N }, (_, i) => {
      const key = KEYS[(i * 7 + (i >> 3)) % KEYS.length] ?? 'k0';
      return { key, data: `{"log":"Record ${i}","key":"${key}"}` };
    });
    await putRecords(records, 100);
    await waitForCopies(KEYS, N);
    for (const stream of OUTPUTS) {
      for (const key of KEYS) {
        const put = records.filter((r) => r.key === key).map((r) => r.data);
        expect(await copiesOf(stream, key), `${stream} ${key}`).toEqual(put);
      }
    }
    await expectUnorderedCopies(
      records.map((r) => r.data),
      (d) => d.includes('"key":"k'),
    );
  }, 240_000);
});
