/**
 * Destinations that do not exist, deny access, hang, redirect or answer with an endless body, met by a real
 * worker with the real adapter: each record fails with its reason (permanent when retrying cannot help), the
 * worker throws so Lambda retries and then dead-letters the envelope with that reason, and the records behind a
 * bad one are delivered all the same. SDK errors are mocked; the http cases use a real local server.
 * docs/bad-input.md D1-D9.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TargetType } from '../../lib/config/index.js';
import { DeliveryError } from '../../lib/delivery/index.js';
import { encodeEnvelope } from '../../lib/envelope/index.js';
import { envelopeFactory } from '../delivery/support.js';
import { awsError } from '../targets/factories.js';
import {
  lambdaMock,
  resetHandoffMocks,
  sqsEventOf,
  sqsMock,
  targetOf,
  workerContext,
  workerFor,
} from './support.js';

const kinesis = mockClient(KinesisClient);
const sns = mockClient(SNSClient);
const firehose = mockClient(FirehoseClient);
const eventBridge = mockClient(EventBridgeClient);

beforeEach(() => {
  resetHandoffMocks();
  for (const mock of [kinesis, sns, firehose, eventBridge]) mock.reset();
});

/** Each target type, the call that reaches its destination, and that service's "no such resource" error. */
const DESTINATIONS: Array<{
  type: TargetType;
  destination: string;
  notFound: string;
  deny: () => void;
  missing: () => void;
}> = [
  {
    type: 'kinesis',
    destination: 'gone-stream',
    notFound: 'ResourceNotFoundException',
    missing: () =>
      kinesis
        .on(PutRecordsCommand)
        .rejects(
          awsError('ResourceNotFoundException', 'Stream gone-stream under account 123456789012 not found.'),
        ),
    deny: () =>
      kinesis
        .on(PutRecordsCommand)
        .rejects(
          awsError('AccessDeniedException', 'User is not authorized to perform: kinesis:PutRecords', 403),
        ),
  },
  {
    type: 'sqs',
    destination: 'gone-queue',
    notFound: 'QueueDoesNotExist',
    missing: () =>
      sqsMock
        .on(GetQueueUrlCommand)
        .rejects(awsError('QueueDoesNotExist', 'The specified queue does not exist.')),
    deny: () =>
      sqsMock
        .on(GetQueueUrlCommand)
        .rejects(awsError('AccessDenied', 'Access to the resource is denied.', 403)),
  },
  {
    type: 'sns',
    destination: 'arn:aws:sns:us-east-1:123456789012:gone-topic',
    notFound: 'NotFoundException',
    missing: () =>
      sns.on(PublishBatchCommand).rejects(awsError('NotFoundException', 'Topic does not exist', 404)),
    deny: () =>
      sns
        .on(PublishBatchCommand)
        .rejects(awsError('AuthorizationErrorException', 'not authorized to perform: SNS:Publish', 403)),
  },
  {
    type: 'firehose',
    destination: 'gone-delivery',
    notFound: 'ResourceNotFoundException',
    missing: () =>
      firehose
        .on(PutRecordBatchCommand)
        .rejects(awsError('ResourceNotFoundException', 'Firehose gone-delivery not found')),
    deny: () =>
      firehose
        .on(PutRecordBatchCommand)
        .rejects(
          awsError('AccessDeniedException', 'not authorized to perform: firehose:PutRecordBatch', 403),
        ),
  },
  {
    type: 'eventbridge',
    destination: 'gone-bus',
    notFound: 'ResourceNotFoundException',
    missing: () =>
      eventBridge
        .on(PutEventsCommand)
        .rejects(awsError('ResourceNotFoundException', 'Event bus gone-bus does not exist.')),
    deny: () =>
      eventBridge
        .on(PutEventsCommand)
        .rejects(awsError('AccessDeniedException', 'not authorized to perform: events:PutEvents', 403)),
  },
  {
    type: 'lambda',
    destination: 'gone-function',
    notFound: 'ResourceNotFoundException',
    missing: () =>
      lambdaMock
        .on(InvokeCommand)
        .rejects(awsError('ResourceNotFoundException', 'Function not found: gone-function', 404)),
    deny: () =>
      lambdaMock
        .on(InvokeCommand)
        .rejects(awsError('AccessDeniedException', 'not authorized to perform: lambda:InvokeFunction', 403)),
  },
];

const workerOf = (type: TargetType, destination: string) =>
  workerFor(targetOf({ targets: [{ name: 'output1', type, destination }] }, 'output1'));

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('destinations that do not exist or deny access', () => {
  it.each(DESTINATIONS)(
    'D1 $type: a missing destination fails every record permanently, naming $notFound',
    async (d) => {
      d.missing();
      const { handler, store } = workerOf(d.type, d.destination);
      const error = await deliveryError(handler(envelopeFactory(3), workerContext));
      expect(error.failures).toHaveLength(3);
      for (const failure of error.failures) {
        expect(failure.retryable).toBe(false);
        expect(failure.reason).toContain(d.notFound);
      }
      expect(error.message).toMatch(/^3 record\(s\) not delivered to target "output1" \(0 delivered\): /);
      expect(store.deliveredCount()).toBe(0);
    },
  );

  it.each(DESTINATIONS)('D2 $type: access denied fails every record permanently, not retried', async (d) => {
    d.deny();
    const { handler, telemetry } = workerOf(d.type, d.destination);
    const error = await deliveryError(handler(envelopeFactory(2), workerContext));
    expect(error.failures.map((f) => f.retryable)).toEqual([false, false]);
    expect(error.failures[0]?.reason).toMatch(/Access|Authorization|not authorized/);
    expect(telemetry.counter('DeliveryRetries', 'output1')).toBe(0);
  });

  it('D3 from the target queue: the failed envelopes go back to SQS with the reason, which redrives them to the DLQ', async () => {
    DESTINATIONS[0]!.deny();
    // A standard queue (an ordered target's FIFO batch: test/delivery/last-receive.test.ts).
    const { handler } = workerFor(
      targetOf(
        {
          targets: [
            { name: 'output1', type: 'kinesis', destination: 'gone-stream', ordered: false, via: 'queue' },
          ],
        },
        'output1',
      ),
    );
    const error = await handler(
      sqsEventOf([encodeEnvelope(envelopeFactory(1)), encodeEnvelope(envelopeFactory(1, 'output1', 5))]),
      workerContext,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FullBatchFailureError);
    const reasons = (error as FullBatchFailureError).recordErrors.map((e) => (e as Error).message);
    expect(reasons).toEqual([
      expect.stringContaining('AccessDeniedException'),
      expect.stringContaining('AccessDeniedException'),
    ]);
  });
});

describe('http destinations that misbehave (a real local server)', () => {
  let server: Server;
  let base: string;
  const paths: string[] = [];
  let tls: TcpServer;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // The record's body decides the answer: hang, redirect, an endless error body, or 204.
    server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        paths.push(`${req.url} ${body}`);
        if (body === 'hang') return;
        if (body === 'redirect')
          return void res.writeHead(302, { location: `${base}/elsewhere?token=abc` }).end();
        if (body !== 'huge') return void res.writeHead(204).end();
        res.writeHead(500, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(16_384, 'z');
        const write = (): void => {
          while (!res.destroyed && res.write(chunk)) {}
          if (!res.destroyed) res.once('drain', write);
        };
        write();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Accepts TCP connections and never says a word: a TLS handshake that never completes.
    tls = createTcpServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => tls.close(r))]);
  });

  const httpWorker = (destination: string, timeoutMs = 300) =>
    workerFor(
      targetOf(
        {
          targets: [{ name: 'output1', type: 'http', destination, http: { allowInsecure: true, timeoutMs } }],
        },
        'output1',
      ),
      2,
    );

  const envelopeOf = (bodies: string[]) => {
    const envelope = envelopeFactory(bodies.length);
    envelope.records.forEach((r, i) => {
      r.d = Buffer.from(bodies[i]!).toString('base64');
    });
    return envelope;
  };

  it('D4-D6 hang, redirect and endless body: each failure with its reason, the records behind them delivered', async () => {
    paths.length = 0;
    const { handler, store } = httpWorker(`${base}/hook`, 1_000);
    const envelope = envelopeOf(['ok-0', 'hang', 'ok-2', 'redirect', 'ok-4', 'huge', 'ok-6']);
    const error = await deliveryError(handler(envelope, workerContext));

    const bySeq = new Map(error.failures.map((f) => [f.sequenceNumber, [f.retryable, f.reason]]));
    const seq = (i: number) => envelope.records[i]!.seq;
    expect(bySeq.get(seq(1))).toEqual([true, 'HTTP request timed out after 1000 ms']);
    expect(bySeq.get(seq(3))).toEqual([
      false,
      `HTTP 302 redirect to ${base}/elsewhere?token=%5Bredacted%5D not followed`,
    ]);
    expect(bySeq.get(seq(5))).toEqual([true, `HTTP 500: ${'z'.repeat(200)}`]);
    expect(error.failures).toHaveLength(3);
    expect(error.delivered).toBe(4);
    expect(store.deliveredCount()).toBe(4);
    // The redirect was not followed, the permanent failure not retried, the retryable ones tried twice.
    expect(paths.sort()).toEqual(
      ['hang', 'hang', 'huge', 'huge', 'ok-0', 'ok-2', 'ok-4', 'ok-6', 'redirect'].map((b) => `/hook ${b}`),
    );
  });

  it('D7 a TLS handshake that never completes: the connect phase is bounded by timeoutMs too', async () => {
    const port = (tls.address() as AddressInfo).port;
    const { handler } = httpWorker(`https://127.0.0.1:${port}/hook`, 250);
    const error = await deliveryError(handler(envelopeOf(['x']), workerContext));
    expect(error.failures).toEqual([
      expect.objectContaining({ retryable: true, reason: 'HTTP request timed out after 250 ms' }),
    ]);
  });

  it('D8 a host that does not exist: retryable with the network error, so it reaches the DLQ after the retries', async () => {
    const { handler } = httpWorker('https://no-such-host.invalid/hook', 2_000);
    const error = await deliveryError(handler(envelopeOf(['x']), workerContext));
    expect(error.failures).toEqual([
      expect.objectContaining({
        retryable: true,
        reason: expect.stringMatching(/^HTTP request (failed: .*|timed out after 2000 ms)$/),
      }),
    ]);
  });
});
