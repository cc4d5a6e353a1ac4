/**
 * Local mode end to end: the real (bundled) dispatcher and workers in the local Lambda runtime, on kinesalite,
 * fauxqs and dynalite, records put into `input` with the SDK and with the AWS CLI / boto3.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { readStream } from '../../harness/support/aws.js';
import { produceDemoRecords } from '../../lib/cli/produce.js';
import { parseConfig } from '../../lib/config/index.js';
import { useLocalPipeline } from '../support/local-pipeline.js';
import { decodeMessage, receiveAll } from '../targets/queue-reader.js';
import { awsCli, waitFor } from './support.js';

const run = promisify(execFile);
const N = 300;
const config = parseConfig({
  source: { stream: 'input', batchSize: 100, startingPosition: 'TRIM_HORIZON' },
  targets: [
    { name: 'output1', type: 'kinesis', destination: 'output1', concurrency: 2 },
    { name: 'output2', type: 'kinesis', destination: 'output2', concurrency: 2 },
    { name: 'audit', type: 'sqs', destination: 'audit', via: 'queue', concurrency: 2, retries: 3 },
    { name: 'webhook', type: 'http', destination: 'https://example.com/hook', concurrency: 2 },
    { name: 'flaky', type: 'http', destination: 'https://example.com/flaky', concurrency: 1, retries: 1 },
  ],
});

// 0.01: async retries after 0.6 s and 1.2 s, events expire after 216 s (Lambda: 6 h), far beyond this test.
const pipeline = useLocalPipeline(() => ({ config, timeScale: 0.01 }), {
  timeoutMs: 120_000,
  ready: async (pipeline) => {
    // The flaky target's endpoint is down for the whole run: its envelopes must end in its DLQ, with the reason.
    pipeline.receiver.behave('/flaky', { status: 500 });
  },
});

const body = (i: number): string => `{"log":"Record ${i}"}`;

describe('local mode', () => {
  // The demo's records, all under one partition key: the ordered outputs copy them in order (more in
  // test/local/seed.test.ts); the webhook (async invoke) and the audit queue take them in any order.
  it('delivers N records to every target exactly once, identical, in order on the ordered ones', async () => {
    const kinesis = pipeline().clients.get(KinesisClient);
    await produceDemoRecords(kinesis, 'input', N);
    const expected = Array.from({ length: N }, (_, i) => body(i));
    await waitFor(
      async () =>
        (await readStream(kinesis, 'output1')).length >= N &&
        (await readStream(kinesis, 'output2')).length >= N,
      150_000,
    );
    for (const stream of ['output1', 'output2']) {
      const out = await readStream(kinesis, stream);
      expect(out.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString())).toEqual(expected);
    }
    await waitFor(async () => pipeline().receiver.received('/webhook').length >= N, 150_000);
    expect(
      pipeline()
        .receiver.received('/webhook')
        .map((r) => r.body.toString())
        .sort(),
    ).toEqual([...expected].sort());
    expect(
      new Set(
        pipeline()
          .receiver.received('/webhook')
          .map((r) => r.idempotencyKey),
      ).size,
    ).toBe(N);

    const audit = pipeline().stack.destinationQueues.get('audit') ?? '';
    const messages = await receiveAll(pipeline().clients.get(SQSClient), audit, N + 10);
    expect(messages.map((m) => Buffer.from(decodeMessage(m).data, 'hex').toString()).sort()).toEqual(
      [...expected].sort(),
    );
  }, 300_000);

  it('retries a failing worker, then puts its envelopes in the DLQ in Lambda’s destination format', async () => {
    const flaky = pipeline().stack.targets.find((t) => t.name === 'flaky');
    const sqs = pipeline().clients.get(SQSClient);
    let body: Record<string, unknown> | undefined;
    await waitFor(async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: flaky?.dlqUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 0 }),
      );
      body = out.Messages?.[0]?.Body
        ? (JSON.parse(out.Messages[0].Body) as Record<string, unknown>)
        : undefined;
      return body !== undefined;
    }, 150_000);
    expect(body).toMatchObject({
      version: '1.0',
      requestContext: {
        condition: 'RetriesExhausted',
        approximateInvokeCount: 2,
        functionArn: expect.stringContaining('fanout-local-flaky-worker'),
      },
      requestPayload: { kind: 'kinesis-fanout/envelope', target: 'flaky' },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: {
        errorType: 'DeliveryError',
        errorMessage: expect.stringMatching(/not delivered to target "flaky".*500/),
      },
    });
    expect(pipeline().receiver.refused('/flaky')).toBeGreaterThan(0);
    const status = await pipeline().status();
    expect(status.targets.find((t) => t.name === 'flaky')?.dlqMessages).toBeGreaterThan(0);
    expect(status.targets.find((t) => t.name === 'output1')).toMatchObject({ delivered: N, dlqMessages: 0 });
  }, 180_000);

  it('takes records from the AWS CLI or boto3 and lets them read the outputs', async () => {
    const cli = await awsCli();
    const env = { ...process.env, ...pipeline().env };
    if (cli.kind === 'aws') {
      // CLI v1 sends --data as given; v2 wants base64 unless told the input is raw.
      const raw = cli.version.startsWith('1.') ? [] : ['--cli-binary-format', 'raw-in-base64-out'];
      await run(
        cli.command,
        [
          'kinesis',
          'put-record',
          '--endpoint-url',
          env.AWS_ENDPOINT_URL_KINESIS ?? '',
          '--stream-name',
          'input',
          '--partition-key',
          'cli',
          '--data',
          '{"log":"from the CLI"}',
          ...raw,
        ],
        { env },
      );
    } else {
      await run(
        cli.command,
        [
          '-c',
          `import boto3,os\nboto3.client('kinesis', endpoint_url=os.environ['AWS_ENDPOINT_URL_KINESIS']).put_record(StreamName='input', PartitionKey='cli', Data=b'{"log":"from the CLI"}')`,
        ],
        { env },
      );
    }
    const readOutput1 = async (): Promise<string[]> => {
      if (cli.kind === 'aws') {
        const args = ['--endpoint-url', env.AWS_ENDPOINT_URL_KINESIS ?? '', '--output', 'json'];
        const iterator = JSON.parse(
          (
            await run(
              cli.command,
              [
                'kinesis',
                'get-shard-iterator',
                ...args,
                '--stream-name',
                'output1',
                '--shard-id',
                'shardId-000000000000',
                '--shard-iterator-type',
                'TRIM_HORIZON',
              ],
              { env },
            )
          ).stdout,
        ) as { ShardIterator: string };
        const records = JSON.parse(
          (
            await run(
              cli.command,
              [
                'kinesis',
                'get-records',
                ...args,
                '--shard-iterator',
                iterator.ShardIterator,
                '--limit',
                '10000',
              ],
              { env },
            )
          ).stdout,
        ) as { Records: Array<{ Data: string }> };
        return records.Records.map((r) => Buffer.from(r.Data, 'base64').toString());
      }
      const script = `import boto3,os,json\nk=boto3.client('kinesis', endpoint_url=os.environ['AWS_ENDPOINT_URL_KINESIS'])\nit=k.get_shard_iterator(StreamName='output1', ShardId='shardId-000000000000', ShardIteratorType='TRIM_HORIZON')['ShardIterator']\nprint(json.dumps([r['Data'].decode() for r in k.get_records(ShardIterator=it, Limit=10000)['Records']]))`;
      return JSON.parse((await run(cli.command, ['-c', script], { env })).stdout) as string[];
    };
    let seen: string[] = [];
    await waitFor(async () => {
      seen = await readOutput1();
      return seen.includes('{"log":"from the CLI"}');
    }, 60_000);
    expect(seen.filter((d) => d === '{"log":"from the CLI"}')).toHaveLength(1);
  }, 120_000);
});
