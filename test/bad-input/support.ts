/**
 * The pipeline's two halves as the bad-input tests drive them: the real dispatcher on a mocked Lambda/SQS
 * hand-off (what it invoked and queued is read back), and a real worker with the real adapter of a target on
 * a mocked (or local) destination.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { configFactory, contextFactory, type kinesisEventFactory } from '../../harness/support/factories.js';
import { ClientPool } from '../../lib/aws/clients.js';
import { type FanoutConfigInput, naming, type TargetConfig } from '../../lib/config/index.js';
import { createWorker } from '../../lib/delivery/index.js';
import { createDispatcher } from '../../lib/dispatch/index.js';
import { decodeEnvelope, type Envelope } from '../../lib/envelope/index.js';
import { awsHandoff } from '../../lib/handoff/index.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import { createAdapter } from '../../lib/targets/registry.js';
import { memoryLedger } from '../delivery/support.js';

export const lambdaMock = mockClient(LambdaClient);
export const sqsMock = mockClient(SQSClient);

/** Resets the SQS and Lambda mocks: invokes accepted, queue URLs `http://sqs.local/000/<name>`, every message accepted. */
export function resetHandoffMocks(): void {
  lambdaMock.reset();
  sqsMock.reset();
  lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
  sqsMock
    .on(GetQueueUrlCommand)
    .callsFake((input: { QueueName: string }) => ({ QueueUrl: `http://sqs.local/000/${input.QueueName}` }));
  sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string }> }) => ({
    Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `msg-${e.Id}`, MD5OfMessageBody: '' })),
    Failed: [],
  }));
}

/** A dispatcher of `fanout-test-*` resources for a config with `overrides`. */
export function dispatcherFor(overrides: Partial<FanoutConfigInput> = {}) {
  const telemetry = recordingTelemetry();
  const dispatch = createDispatcher({
    config: configFactory(overrides),
    names: naming('fanout', 'test'),
    handoff: awsHandoff(new LambdaClient({ region: 'us-east-1' }), new SQSClient({ region: 'us-east-1' })),
    telemetry,
    sleep: async () => {},
  });
  return {
    telemetry,
    run: (event: ReturnType<typeof kinesisEventFactory>) => dispatch(event, contextFactory()),
  };
}

/** Envelopes the dispatcher invoked workers with, by target. */
export function invokedEnvelopes(target: string): Envelope[] {
  return lambdaMock
    .commandCalls(InvokeCommand)
    .map((c) => decodeEnvelope(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()))
    .filter((e) => e.target === target);
}

/** Message bodies the dispatcher sent to a queue (`fanout-test-<target>-queue` or `-dlq`). */
export function queuedBodies(queueName: string): string[] {
  return sqsMock
    .commandCalls(SendMessageBatchCommand)
    .filter((c) => c.args[0].input.QueueUrl?.endsWith(`/${queueName}`))
    .flatMap((c) => c.args[0].input.Entries?.map((e) => e.MessageBody ?? '') ?? []);
}

/** A target of `config` as the schema outputs it. */
export function targetOf(overrides: Partial<FanoutConfigInput>, name: string): TargetConfig {
  const target = configFactory(overrides).targets.find((t) => t.name === name);
  if (!target) throw new Error(`no target ${name}`);
  return target;
}

/**
 * A worker of `target` with its real adapter (SDK clients in us-east-1, mocked by the caller), an in-memory
 * key store and no waiting between attempts.
 */
export function workerFor(target: TargetConfig, maxAttempts = 3) {
  const telemetry = recordingTelemetry();
  const store = memoryLedger();
  const handler = createWorker({
    target,
    adapter: createAdapter({
      target,
      clients: new ClientPool({ region: 'us-east-1' }),
      idempotency: 'store',
    }),
    ledger: store,
    telemetry,
    maxAttempts,
    sleep: async () => {},
  });
  return { handler, store, telemetry };
}

export const workerContext = { getRemainingTimeInMillis: () => 30_000 };

/** An SQS event of the target queue, one message per body (ids `m-0`, `m-1`, ...). */
export function sqsEventOf(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1',
        SenderId: 'dispatcher',
        ApproximateFirstReceiveTimestamp: '1',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:fanout-test-queue',
      awsRegion: 'us-east-1',
    })),
  };
}
