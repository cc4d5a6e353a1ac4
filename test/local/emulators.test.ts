/**
 * The emulators of local mode: each listens on 127.0.0.1 only (fauxqs's own start listens on 0.0.0.0), fauxqs
 * keeps its messages and objects in a data folder across a restart, and a supervised set notices an emulator
 * that died and starts it again on the same port.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, listenersOf } from '../../harness/support/listeners.js';
import { type EmulatorEvent, type EmulatorSet, startEmulators } from '../../lib/local/emulator-set.js';
import { type Emulator, startEmulator } from '../../lib/local/emulators.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from './support.js';

const config = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const started: Array<Emulator | EmulatorSet> = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.stop()));
});

describe('emulators', () => {
  it('listen on 127.0.0.1 only, fauxqs included', async () => {
    const set = await startEmulators();
    started.push(set);
    const listeners = listenersOf([set.kinesis.pid, set.sqs.pid, set.dynamodb.pid]);
    expect(listeners.map((l) => l.port).sort()).toEqual(
      [set.kinesis.port, set.sqs.port, set.dynamodb.port].sort(),
    );
    expect(listeners.filter((l) => l.address !== '127.0.0.1')).toEqual([]);
  }, 60_000);

  it('fauxqs keeps messages (in flight ones too, FIFO order) and objects in its data folder across a restart', async () => {
    const dataDir = tempDir('fanout-fauxqs-');
    const first = await startEmulator('sqs', { dataDir });
    const sqs = new SQSClient({ ...config, endpoint: first.endpoint });
    const s3 = new S3Client({ ...config, endpoint: first.endpoint, forcePathStyle: true });
    const queue = async (name: string) =>
      (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
    const dlq = await queue('kept-dlq');
    const fifo = await queue('kept.fifo');
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: dlq,
        Entries: ['a', 'b', 'c'].map((body, i) => ({
          Id: String(i),
          MessageBody: body,
          MessageAttributes: { reason: { DataType: 'String', StringValue: `why ${body}` } },
        })),
      }),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: fifo,
        Entries: ['1', '2', '3'].map((body) => ({
          Id: body,
          MessageBody: body,
          MessageGroupId: 'g',
          MessageDeduplicationId: body,
        })),
      }),
    );
    // One message in flight at the stop: it must come back, as after its visibility timeout.
    const inFlight = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 1, VisibilityTimeout: 600 }),
    );
    expect(inFlight.Messages).toHaveLength(1);
    await s3.send(new CreateBucketCommand({ Bucket: 'claims' }));
    await s3.send(new PutObjectCommand({ Bucket: 'claims', Key: 'r/1', Body: 'claim-checked data' }));
    await first.stop();

    const second = await startEmulator('sqs', { dataDir });
    started.push(second);
    expect(second.restored).toEqual({ messages: 6, objects: 1 });
    const sqs2 = new SQSClient({ ...config, endpoint: second.endpoint });
    const url = async (name: string) =>
      (await sqs2.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
    const receive = async (queueUrl: string, max: number) =>
      (
        await sqs2.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: max,
            MessageAttributeNames: ['All'],
          }),
        )
      ).Messages ?? [];
    const kept = await receive(await url('kept-dlq'), 10);
    expect(kept.map((m) => m.Body).sort()).toEqual(['a', 'b', 'c']);
    expect(kept.map((m) => m.MessageAttributes?.reason?.StringValue).sort()).toEqual([
      'why a',
      'why b',
      'why c',
    ]);
    // The FIFO group comes back in order; a message sent after the restart is numbered after the kept ones, so it
    // stays behind them when they come back from flight.
    const fifoUrl = await url('kept.fifo');
    await sqs2.send(
      new SendMessageCommand({
        QueueUrl: fifoUrl,
        MessageBody: '4',
        MessageGroupId: 'g',
        MessageDeduplicationId: '4',
      }),
    );
    const group = await receive(fifoUrl, 10);
    expect(group.map((m) => m.Body)).toEqual(['1', '2', '3', '4']);
    for (const m of group) {
      await sqs2.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: fifoUrl,
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    expect((await receive(fifoUrl, 10)).map((m) => m.Body)).toEqual(['1', '2', '3', '4']);
    const s3b = new S3Client({ ...config, endpoint: second.endpoint, forcePathStyle: true });
    const object = await s3b.send(new GetObjectCommand({ Bucket: 'claims', Key: 'r/1' }));
    expect(await object.Body?.transformToString()).toBe('claim-checked data');
  }, 60_000);

  it('fauxqs serves a FIFO queue as SQS does: up to 10 messages of a group a receive, in order, and a message back from flight in its place', async () => {
    const emulator = await startEmulator('sqs');
    started.push(emulator);
    const sqs = new SQSClient({ ...config, endpoint: emulator.endpoint });
    const queueUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: 'groups.fifo', Attributes: { FifoQueue: 'true' } }))
    ).QueueUrl as string;
    const send = async (group: string, bodies: string[]) =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.map((body) => ({
            Id: body,
            MessageBody: body,
            MessageGroupId: group,
            MessageDeduplicationId: body,
          })),
        }),
      );
    const g = Array.from({ length: 12 }, (_, i) => `g${i + 1}`);
    await send('g', g.slice(0, 10));
    await send('g', g.slice(10));
    await send('h', ['h1', 'h2']);
    const receive = async () =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))).Messages ??
      [];
    // One receive: the first 10 of group g, in order (fauxqs alone gives one message per group).
    const batch = await receive();
    expect(batch.map((m) => m.Body)).toEqual(g.slice(0, 10));
    // g has messages in flight: the next receive serves only h.
    expect((await receive()).map((m) => m.Body)).toEqual(['h1', 'h2']);
    // The first five are done; the other five come back one by one (a failed batch's messages, returned to the
    // queue): they go back to their places, not in front of each other.
    for (const m of batch.slice(0, 5)) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    for (const m of batch.slice(5)) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    expect((await receive()).map((m) => m.Body)).toEqual(g.slice(5));
  }, 60_000);

  it('fauxqs refuses to start over a snapshot it cannot read, naming the file', async () => {
    const dataDir = tempDir('fanout-fauxqs-');
    writeFileSync(join(dataDir, 'fauxqs.json'), '{"version": 1, "queues": ');
    await expect(startEmulator('sqs', { dataDir })).rejects.toThrow(
      /fauxqs\.json is not JSON .*local mode will not start over it; move it away/,
    );
  }, 30_000);

  it('a supervised set notices an emulator that died and starts it again on the same port', async () => {
    const events: EmulatorEvent[] = [];
    const set = await startEmulators({ supervise: { onEvent: (event) => void events.push(event) } });
    started.push(set);
    const { pid, port } = set.dynamodb;
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => events.some((e) => e.type === 'restarted'), 30_000, 'the restart');
    expect(events.map((e) => e.type)).toEqual(['died', 'restarted']);
    expect(events[0]).toMatchObject({ kind: 'dynamodb', pid, exit: { signal: 'SIGKILL' } });
    expect(isAlive(pid)).toBe(false);
    expect(set.dynamodb.pid).not.toBe(pid);
    expect(set.dynamodb.port).toBe(port);
    expect(listenersOf([set.dynamodb.pid])).toEqual([{ pid: set.dynamodb.pid, address: '127.0.0.1', port }]);
    expect(set.health().find((h) => h.kind === 'dynamodb')).toMatchObject({
      state: 'running',
      restarts: 1,
      lastFailure: expect.stringContaining(`pid ${pid} killed by SIGKILL`),
    });
    // A stop on purpose is no death: nothing is started again.
    await set.stop();
    started.splice(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(events).toHaveLength(2);
  }, 60_000);
});
