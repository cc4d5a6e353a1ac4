/**
 * The naive fan-out most teams write first, measured on the same events and stub as the dispatcher: a handler
 * that writes each record to every target inline and waits for each call (Kinesis `PutRecord` or SQS
 * `SendMessage`), either one call at a time or with `Promise.all` over a record's targets.
 * Usage: node --import tsx bench/cases/naive-case.ts '<NaiveCaseInput JSON>'
 */
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { ClientPool } from '../../lib/aws/clients.js';
import { type BatchShape, batchEvent } from './events.js';
import { caseInput, emit, measure, peakRss } from './harness.js';

export interface NaiveCaseInput {
  shape: BatchShape;
  targets: number;
  api: 'kinesis' | 'sqs';
  /** `sequential`: await every call in turn; `parallel-targets`: Promise.all over one record's targets. */
  variant: 'sequential' | 'parallel-targets';
  /** Records of the unmeasured warm-up batch (a full one takes seconds with a slow stub). */
  warmupRecords: number;
  iterations: number;
  endpoint: string;
}

export interface NaiveCaseResult {
  wallMs: number[];
  cpuMs: number[];
  callsPerBatch: number;
  peakRss: number;
}

const input = caseInput<NaiveCaseInput>();
const clients = new ClientPool();
const kinesis = clients.get(KinesisClient);
const sqs = clients.get(SQSClient);
const targets = Array.from({ length: input.targets }, (_, i) => `out${i + 1}`);
// Looked up once per container, as a careful first version would.
const queueUrls = await Promise.all(
  targets.map(async (name) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? ''),
);
let calls = 0;

async function put(record: KinesisStreamEvent['Records'][number], target: number): Promise<void> {
  calls++;
  if (input.api === 'kinesis') {
    await kinesis.send(
      new PutRecordCommand({
        StreamName: targets[target],
        PartitionKey: record.kinesis.partitionKey,
        Data: Buffer.from(record.kinesis.data, 'base64'),
      }),
    );
  } else {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrls[target],
        MessageBody: Buffer.from(record.kinesis.data, 'base64').toString('utf8'),
      }),
    );
  }
}

async function handler(event: KinesisStreamEvent): Promise<void> {
  for (const record of event.Records) {
    if (input.variant === 'sequential') {
      for (let t = 0; t < targets.length; t++) await put(record, t);
    } else {
      await Promise.all(targets.map((_, t) => put(record, t)));
    }
  }
}

const event = batchEvent(input.shape);
await handler(batchEvent({ records: input.warmupRecords, recordBytes: input.shape.recordBytes }));
const samples = await measure(() => handler(event), {
  warmup: 0,
  iterations: input.iterations,
  ready: async () => {
    calls = 0;
  },
});
emit({ ...samples, callsPerBatch: calls / input.iterations, peakRss: peakRss() } satisfies NaiveCaseResult);
