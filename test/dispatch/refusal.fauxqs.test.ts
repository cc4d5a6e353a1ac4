/**
 * Refused hand-offs against a real SQS emulator (fauxqs): what it refuses (invalid message contents, a message
 * too long for its queue, a queue that does not exist) is isolated to the records that cause it, each lands in
 * the target's DLQ as a notice, and the rest is queued. And the ASCII envelope makes the hostile partition keys
 * that it refused before (U+FFFE, U+FFFF, lone surrogates, emoji) travel on the happy path.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, type Message, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configFactory,
  contextFactory,
  kinesisRecordFactory,
  STREAM_ARN,
  sequenceNumber,
} from '../../harness/support/factories.js';
import { naming } from '../../lib/config/index.js';
import type { SourceRecord } from '../../lib/dispatch/decode.js';
import { createDispatcher, deadLetter, runUnit } from '../../lib/dispatch/index.js';
import { packEnvelopes } from '../../lib/dispatch/pack.js';
import { queueUnits } from '../../lib/dispatch/units.js';
import { decodeEnvelope, recordId } from '../../lib/envelope/index.js';
import { awsHandoff } from '../../lib/handoff/index.js';
import { type Emulator, startEmulator } from '../../lib/local/emulators.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import { receiveAll } from '../targets/queue-reader.js';

let emulator: Emulator;
let sqs: SQSClient;
const names = naming('fanout', 'test');

beforeAll(async () => {
  emulator = await startEmulator('sqs');
  sqs = new SQSClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(() => emulator?.stop());

const createQueue = async (name: string, attributes: Record<string, string> = {}): Promise<string> =>
  (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl as string;

/** A dispatcher with one via-queue sqs target `name`, on fauxqs. */
function dispatcherFor(name: string) {
  return createDispatcher({
    config: configFactory({
      targets: [{ name, type: 'sqs', destination: 'out', via: 'queue', concurrency: 2 }],
    }),
    names,
    handoff: awsHandoff(new LambdaClient({ region: 'us-east-1' }), sqs),
    telemetry: recordingTelemetry(),
    sleep: async () => {},
  });
}

const seqsOf = (messages: Message[]): string[] =>
  messages.flatMap((m) => decodeEnvelope(m.Body ?? '').records.map((r) => r.seq)).sort();
const noticesOf = (messages: Message[]) =>
  messages.map(
    (m) =>
      JSON.parse(m.Body ?? '{}') as { kind: string; reason: string; record: { seq: string; pk: string } },
  );

const HOSTILE_KEYS = ['nonchar-\uFFFE', 'nonchar-\uFFFF', 'lone-\uD800', 'lone-\uDFFF', 'emoji-😀', 'plain'];

describe('the dispatcher against fauxqs', () => {
  it('queues envelopes whose partition keys SQS would refuse raw: the keys come back the same', async () => {
    const queue = await createQueue(names.targetQueue('keys'));
    const dlq = await createQueue(names.targetDlq('keys'));
    const event = {
      Records: HOSTILE_KEYS.map((partitionKey, n) => kinesisRecordFactory(`{"n":${n}}`, { n, partitionKey })),
    };

    expect(await dispatcherFor('keys')(event, contextFactory())).toEqual({ batchItemFailures: [] });

    const queued = await receiveAll(sqs, queue, 1);
    expect(queued[0]?.Body).toMatch(/^[\x20-\x7e]*$/);
    expect(queued.flatMap((m) => decodeEnvelope(m.Body ?? '').records.map((r) => r.pk))).toEqual(
      HOSTILE_KEYS,
    );
    expect(await receiveAll(sqs, dlq, 1, 1)).toEqual([]);
  });

  it('too large: a message fauxqs refuses for its queue size is bisected; the record too large alone goes to the DLQ', async () => {
    const queue = await createQueue(names.targetQueue('small'), { MaximumMessageSize: '1024' });
    const dlq = await createQueue(names.targetDlq('small'));
    const event = {
      Records: Array.from({ length: 8 }, (_, n) =>
        kinesisRecordFactory(n === 5 ? 'z'.repeat(900) : `{"n":${n}}`, { n }),
      ),
    };

    expect(await dispatcherFor('small')(event, contextFactory())).toEqual({ batchItemFailures: [] });

    expect(seqsOf(await receiveAll(sqs, queue, 7))).toEqual(
      [0, 1, 2, 3, 4, 6, 7].map((n) => sequenceNumber(n)),
    );
    const notices = noticesOf(await receiveAll(sqs, dlq, 1));
    expect(notices).toHaveLength(1);
    expect(notices[0]?.record.seq).toBe(sequenceNumber(5));
    expect(notices[0]?.reason).toMatch(/InvalidParameterValue: .*Message must be shorter than 1024 bytes/);
  });

  it('no such queue: every record goes to the DLQ with the reason', async () => {
    const dlq = await createQueue(names.targetDlq('gone'));
    const event = { Records: [0, 1, 2].map((n) => kinesisRecordFactory(`{"n":${n}}`, { n })) };

    expect(await dispatcherFor('gone')(event, contextFactory())).toEqual({ batchItemFailures: [] });

    const notices = noticesOf(await receiveAll(sqs, dlq, 3));
    expect(notices.map((n) => n.record.seq).sort()).toEqual([0, 1, 2].map((n) => sequenceNumber(n)));
    expect(notices[0]?.reason).toMatch(/QueueDoesNotExist/);
  });

  it("no such queue and no DLQ: the records wait in the dispatcher's failure queue", async () => {
    const failures = await createQueue(names.dispatcherFailureQueue());
    const event = { Records: [0, 1].map((n) => kinesisRecordFactory(`{"n":${n}}`, { n })) };

    expect(await dispatcherFor('nothing')(event, contextFactory())).toEqual({ batchItemFailures: [] });

    const parked = (await receiveAll(sqs, failures, 2)).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(parked.map((p) => p.KinesisBatchInfo.startSequenceNumber).sort()).toEqual(
      [0, 1].map((n) => sequenceNumber(n)),
    );
    expect(parked[0]).toMatchObject({
      KinesisBatchInfo: { streamArn: STREAM_ARN },
      fanoutRefusal: { target: 'nothing' },
    });
  });
});

describe('invalid message contents (an envelope as the dispatcher wrote it before it wrote ASCII)', () => {
  /** A record whose entry is `JSON.stringify` of it: U+FFFF stays raw, as it did. */
  const rawRecord = (n: number, pk: string): SourceRecord => {
    const data = Buffer.from(`{"n":${n}}`).toString('base64');
    const id = recordId('input', 'shardId-000000000000', sequenceNumber(n));
    const entry = Buffer.from(JSON.stringify({ id, seq: sequenceNumber(n), pk, at: 1, d: data }));
    return {
      seq: sequenceNumber(n),
      pk,
      shard: 'shardId-000000000000',
      data,
      entry,
      entryBytes: entry.length,
      dataBytes: 6,
    };
  };

  it('fauxqs refuses the envelope; the record with U+FFFF is isolated and dead-lettered, its neighbours queued', async () => {
    const queue = await createQueue('raw-queue');
    const dlq = await createQueue(names.targetDlq('raw'));
    const records = [0, 1, 2, 3, 4].map((n) => rawRecord(n, n === 3 ? 'bad-\uFFFF' : `ok-${n}`));
    const [envelope] = packEnvelopes('raw', 'input', records, 1_048_576, 1).envelopes;
    const handoff = awsHandoff(new LambdaClient({ region: 'us-east-1' }), sqs);
    const [unit] = queueUnits(
      'raw',
      'raw-queue',
      [{ body: envelope!.payload.toString('utf8'), bytes: envelope!.bytes, records }],
      1_048_576,
    );
    const run = {
      deadline: Date.now() + 30_000,
      maxAttempts: 3,
      now: Date.now,
      random: () => 0,
      sleep: async () => {},
    };

    const outcome = await runUnit(unit!, handoff, run);

    expect(outcome.failed).toEqual([]);
    expect(outcome.refused.map((r) => r.record.seq)).toEqual([sequenceNumber(3)]);
    expect(outcome.refused[0]?.reason).toMatch(/^raw-queue: InvalidMessageContents: /);
    expect(seqsOf(await receiveAll(sqs, queue, 4))).toEqual([0, 1, 2, 4].map((n) => sequenceNumber(n)));

    const stuck = await deadLetter([{ unit: unit!, outcome }], {
      config: configFactory({
        targets: [{ name: 'raw', type: 'sqs', destination: 'out', via: 'queue', concurrency: 2 }],
      }),
      names,
      handoff,
      telemetry: recordingTelemetry(),
      run,
      limit: (call) => call(),
      stream: 'input',
      streamArn: STREAM_ARN,
      now: Date.now,
    });
    expect(stuck).toEqual([]);
    const [notice] = noticesOf(await receiveAll(sqs, dlq, 1));
    // The notice is ASCII, so the DLQ takes it; JSON.parse gives the key back as it was.
    expect(notice).toMatchObject({
      kind: 'kinesis-fanout/refused-record',
      record: { seq: sequenceNumber(3), pk: 'bad-\uFFFF' },
    });
  });
});
