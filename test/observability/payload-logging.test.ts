/**
 * Record payloads are never logged: the dispatcher and a worker run into every logged path (hand-off denied,
 * oversize record, corrupt KPL aggregate, a failing http destination) with real Powertools Loggers at DEBUG
 * writing to captured stdout/stderr, and a marker from the record data must appear in no line. The deployed
 * handlers (functions/*.ts) are run too, with POWERTOOLS_LOGGER_LOG_EVENT=true, which must not make them log
 * the event.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { configFactory, contextFactory, kinesisEventFactory } from '../../harness/support/factories.js';
import { aggregateRecords } from '../../harness/support/kpl.js';
import { ClientPool } from '../../lib/aws/clients.js';
import { naming } from '../../lib/config/index.js';
import { createWorker } from '../../lib/delivery/index.js';
import { createDispatcher } from '../../lib/dispatch/index.js';
import { decodeEnvelope, type Envelope } from '../../lib/envelope/index.js';
import { awsHandoff } from '../../lib/handoff/index.js';
import { powertoolsTelemetry } from '../../lib/observability/powertools.js';
import { createAdapter } from '../../lib/targets/registry.js';
import { memoryLedger } from '../delivery/support.js';

const MARKER = 'PAYLOAD-MARKER-7f3a91c4';
const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);
let captured: string[] = [];
let server: Server;
let url: string;

/** Record data that carries the marker in every shape a log could leak it: raw, inside JSON, in an aggregate. */
const bodies = (): Array<string | Buffer> => [
  MARKER,
  `{"card":"${MARKER}"}`,
  `${MARKER}-${'x'.repeat(5_000)}`,
  Buffer.concat([aggregateRecords([{ partitionKey: 'p', data: MARKER }], { corruptChecksum: true })]),
];

/** Every way the marker could appear in a log line: as text, base64 of a whole record, or JSON-escaped. */
function leaks(lines: readonly string[]): string[] {
  const needles = [MARKER, ...bodies().map((b) => Buffer.from(b).toString('base64').slice(0, 24))];
  return lines.filter((line) => needles.some((n) => line.includes(n)));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream refused it'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  captured = [];
  const capture = (chunk: unknown): boolean => {
    captured.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  lambda.reset();
  sqs.reset();
  lambda.on(InvokeCommand).rejects(
    Object.assign(new Error('User is not authorized to perform: lambda:InvokeFunction'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    }),
  );
  sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'http://sqs.local/000/q' });
  sqs
    .on(SendMessageBatchCommand)
    .resolves({ Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents' }] });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** An http target on the local server, which refuses everything with a 500. */
const hookTarget = () => ({
  name: 'hook',
  type: 'http' as const,
  destination: url,
  idempotency: 'native' as const,
  http: { allowInsecure: true, timeoutMs: 2_000 },
});

describe('record payloads in logs', () => {
  it('appear in no line the dispatcher and a failing worker write through Powertools at DEBUG', async () => {
    const config = configFactory({
      dispatcher: { invokePayloadLimit: 4_096 },
      targets: [hookTarget()],
    });
    const telemetry = (service: string, target?: string) =>
      powertoolsTelemetry(
        new Logger({ serviceName: service, logLevel: 'DEBUG' }),
        new Metrics({ serviceName: service, namespace: 'Test' }),
        new Metrics({ serviceName: service, namespace: 'Test' }),
        target,
      );
    const dispatch = createDispatcher({
      config,
      names: naming('fanout', 'test'),
      handoff: awsHandoff(new LambdaClient({ region: 'us-east-1' }), new SQSClient({ region: 'us-east-1' })),
      telemetry: telemetry('dispatcher'),
      sleep: async () => {},
    });
    const result = await dispatch(
      kinesisEventFactory(4, (i) => bodies()[i]!),
      contextFactory(),
    );
    expect(result.batchItemFailures).toHaveLength(1);

    const hook = config.targets[0]!;
    const work = createWorker({
      target: hook,
      adapter: createAdapter({
        target: hook,
        clients: new ClientPool({ region: 'us-east-1' }),
        idempotency: 'native',
      }),
      ledger: memoryLedger(),
      telemetry: telemetry('worker', 'hook'),
      maxAttempts: 1,
    });
    const envelope = decodeEnvelope(
      Buffer.from(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array).toString(),
    );
    const error = (await work(envelope, contextFactory()).catch((e: unknown) => e)) as Error;

    // The logs were captured (the failure paths did log), and the worker's error (Lambda logs it) names the status.
    // Access denied: refused for good, so dead-lettered (and the DLQ mock refuses the notices too).
    expect(captured.join('')).toMatch(/"message":"hand-off refused for good/);
    expect(captured.join('')).toMatch(/KPL-aggregated record\(s\) could not be split/);
    expect(error.message).toContain('HTTP 500: upstream refused it');
    expect(leaks(captured)).toEqual([]);
    expect(leaks([error.message, String(error.stack)])).toEqual([]);
  });

  it('appear in no line of the deployed handlers, even with POWERTOOLS_LOGGER_LOG_EVENT=true', async () => {
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('FANOUT_STAGE', 'test');
    vi.stubEnv(
      'FANOUT_CONFIG_JSON',
      JSON.stringify({ source: { stream: 'input' }, targets: [hookTarget()] }),
    );
    // The claim check is on by default: the deploy gives the functions its bucket.
    vi.stubEnv('FANOUT_CLAIM_CHECK_BUCKET', 'fanout-test-claims');
    const lambdaContext = {
      ...contextFactory(),
      functionName: 'fanout-test-dispatcher',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fanout-test-dispatcher',
      memoryLimitInMB: '1024',
      awsRequestId: 'req-1',
      logGroupName: '/aws/lambda/fanout-test-dispatcher',
      logStreamName: 's',
      callbackWaitsForEmptyEventLoop: false,
    } as unknown as Context;

    const dispatcher = await import('../../functions/dispatcher.js');
    await dispatcher.handler(
      kinesisEventFactory(3, (i) => bodies()[i]!),
      lambdaContext,
    );
    const payload = lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array;
    const envelope = JSON.parse(Buffer.from(payload).toString()) as Envelope;

    vi.stubEnv('FANOUT_TARGET', 'hook');
    const worker = await import('../../functions/worker.js');
    const error = (await worker.handler(envelope, lambdaContext).catch((e: unknown) => e)) as Error;

    expect(error.name).toBe('DeliveryError');
    // Access denied: refused for good, so dead-lettered (and the DLQ mock refuses the notices too).
    expect(captured.join('')).toMatch(/"message":"hand-off refused for good/);
    expect(captured.join('')).not.toMatch(/Lambda invocation event/);
    expect(leaks(captured)).toEqual([]);
  });
});
