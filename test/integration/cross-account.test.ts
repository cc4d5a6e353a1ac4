/**
 * A cross-account, cross-region target across the wire: dispatcher -> SQS (fauxqs) -> worker -> Kinesis
 * (kinesalite behind a recording proxy), the worker assuming the target's role through a fake STS endpoint.
 * The proxy shows which credentials and which region signed each destination write.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type _Record, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DeleteMessageBatchCommand, GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdempotencyTable,
  createQueue,
  createStream,
  lambdaContext,
  localClients,
  readStream,
  streamAsKinesisEvent,
} from '../../harness/support/aws.js';
import { assumedKeyId, type FakeSts, startFakeSts } from '../../harness/support/sts.js';
import { naming } from '../../lib/config/index.js';
import { type EmulatorSet, startEmulators } from '../../lib/local/emulator-set.js';
import { createContainer } from '../../lib/wiring/container.js';
import { buildDispatcher } from '../../lib/wiring/dispatcher.js';
import { buildWorker } from '../../lib/wiring/worker.js';

const ROLE = 'arn:aws:iam::210987654321:role/fanout-writer';
const names = naming('fanout', 'xacct');
const config = {
  source: { stream: 'input' },
  targets: [
    {
      name: 'partner',
      type: 'kinesis',
      destination: 'partner-out',
      ordered: false,
      via: 'queue',
      concurrency: 2,
      role: ROLE,
      externalId: 'fanout-7f3a',
      region: 'eu-west-1',
    },
    { name: 'home', type: 'kinesis', destination: 'home-out', ordered: false, via: 'queue', concurrency: 2 },
  ],
};

/** PutRecords calls that reached Kinesis: stream, access key id and region of the signature. */
const writes: Array<{ stream: string; keyId: string; region: string }> = [];
let emulators: EmulatorSet;
let sts: FakeSts;
let proxy: ReturnType<typeof createServer>;
let clients: ReturnType<typeof localClients>;

beforeAll(async () => {
  emulators = await startEmulators();
  sts = await startFakeSts();
  const kinesalite = new URL(emulators.kinesis.endpoint);
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (String(req.headers['x-amz-target']).endsWith('.PutRecords')) {
        const scope = /Credential=([^/]+)\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? '');
        writes.push({
          stream: (JSON.parse(body.toString()) as { StreamName: string }).StreamName,
          keyId: scope?.[1] ?? '',
          region: scope?.[2] ?? '',
        });
      }
      const forward = request(
        {
          host: kinesalite.hostname,
          port: kinesalite.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, emulators.env, {
    AWS_ENDPOINT_URL_KINESIS: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    FANOUT_CONFIG_JSON: JSON.stringify(config),
    // The claim check is on by default; the deploy names its bucket (no record here is large enough to use it).
    FANOUT_CLAIM_CHECK_BUCKET: 'fanout-it-claims',
    FANOUT_STAGE: 'xacct',
  });
  clients = localClients();
  await Promise.all([
    createStream(clients.kinesis, 'input'),
    createStream(clients.kinesis, 'partner-out'),
    createStream(clients.kinesis, 'home-out'),
    createQueue(clients.sqs, names.targetQueue('partner')),
    createQueue(clients.sqs, names.targetQueue('home')),
    createIdempotencyTable(clients.dynamo, names.idempotencyTable()),
  ]);
}, 120_000);

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_STS;
  await new Promise((resolve) => proxy?.close(resolve));
  await sts?.stop();
  await emulators?.stop();
});

async function kinesisEvent(count: number): Promise<KinesisStreamEvent> {
  await clients.kinesis.send(
    new PutRecordsCommand({
      StreamName: 'input',
      Records: Array.from({ length: count }, (_, i) => ({
        PartitionKey: `k${i}`,
        Data: Buffer.from(`{"n":${i}}`),
      })),
    }),
  );
  return streamAsKinesisEvent(clients.kinesis, 'input');
}

/** Runs a target's worker on what its queue holds, as the SQS event source mapping would. */
async function runWorker(target: string): Promise<unknown> {
  const url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: names.targetQueue(target) })))
    .QueueUrl;
  const { Messages = [] } = await clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  const event = {
    Records: Messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${names.targetQueue(target)}`,
      awsRegion: 'us-east-1',
    })),
  } as unknown as SQSEvent;
  process.env.FANOUT_TARGET = target;
  const result = await buildWorker(createContainer('worker'))(
    event,
    lambdaContext(names.workerFunction(target)),
  );
  await clients.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
    }),
  );
  return result;
}

describe('a target with role, externalId and region, dispatcher -> SQS -> worker -> Kinesis', () => {
  it('writes with the assumed role’s credentials in the target’s region, and other targets with their own', async () => {
    const dispatch = buildDispatcher(createContainer('dispatcher'));
    expect(await dispatch(await kinesisEvent(5), lambdaContext(names.dispatcherFunction()))).toEqual({
      batchItemFailures: [],
    });
    expect(await runWorker('partner')).toEqual({ batchItemFailures: [] });
    expect(await runWorker('home')).toEqual({ batchItemFailures: [] });

    const data = (records: _Record[]) =>
      records.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString());
    const expected = Array.from({ length: 5 }, (_, i) => `{"n":${i}}`);
    expect(data(await readStream(clients.kinesis, 'partner-out'))).toEqual(expected);
    expect(data(await readStream(clients.kinesis, 'home-out'))).toEqual(expected);

    expect(sts.calls).toEqual([
      {
        roleArn: ROLE,
        externalId: 'fanout-7f3a',
        sessionName: 'fanout-partner',
        durationSeconds: 3600,
        signedBy: 'local',
      },
    ]);
    expect(writes.find((w) => w.stream === 'partner-out')).toEqual({
      stream: 'partner-out',
      keyId: assumedKeyId(1),
      region: 'eu-west-1',
    });
    expect(writes.find((w) => w.stream === 'home-out')).toEqual({
      stream: 'home-out',
      keyId: 'local',
      region: 'us-east-1',
    });
  });
});
