/**
 * A poison record on an ordered target, in local mode (the bundled dispatcher and worker, fauxqs's FIFO queues):
 * the other message groups keep flowing while its group is held; after its retries it lands in the target's
 * DLQ with its reason, alone; then its group's later records are delivered, each key in order
 * (docs/routing.md, "A record that cannot be delivered").
 */
import { type _Record, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { readStream } from '../../harness/support/aws.js';
import { parseConfig } from '../../lib/config/index.js';
import { messageGroupOf } from '../../lib/dispatch/ordered.js';
import { decodeEnvelope } from '../../lib/envelope/index.js';
import { useLocalPipeline } from '../support/local-pipeline.js';
import { waitFor } from './support.js';

const GROUPS = 4;
const KEYS = Array.from({ length: 8 }, (_, k) => `k${k}`);
const N = 80;
/** Record 20 (key k4) is not JSON: the target's transform refuses it for good, on every attempt. */
const POISON = 20;
const keyOf = (i: number): string => KEYS[i % KEYS.length] ?? 'k0';
const data = (i: number): string => (i === POISON ? `not json ${i}` : `{"log":"Record ${i}"}`);
const groupOf = (key: string): string => messageGroupOf(key, GROUPS);

const pipeline = useLocalPipeline(
  async () => {
    const config = parseConfig({
      // Batches of 10: the poison record's group gets a message from most batches, several behind the poison's.
      source: { stream: 'input', batchSize: 10, startingPosition: 'TRIM_HORIZON' },
      targets: [
        {
          name: 'ledger',
          type: 'kinesis',
          destination: 'ledger',
          // Ordered by default (a kinesis target); the transform makes a record that is not JSON a poison one.
          transform: { log: '$.log' },
          messageGroups: GROUPS,
          concurrency: 2,
          // Two receives: the first fails; the second, after the visibility timeout (6 x 3 s, as Lambda advises,
          // set by local mode), is the last, and the worker dead-letters the record itself.
          retries: 1,
          timeout: 3,
        },
      ],
    });
    return { config, timeScale: 0.01 };
  },
  {
    timeoutMs: 120_000,
  },
);

const recordNumber = (r: _Record): number =>
  Number(/Record (\d+)/.exec(Buffer.from(r.Data ?? new Uint8Array()).toString())?.[1]);
const arrivedAt = (r: _Record): number => r.ApproximateArrivalTimestamp?.getTime() ?? 0;

describe('local mode: a poison record on an ordered target', () => {
  it('holds back only its group, lands in the DLQ with its reason, and its group goes on after it, in order', async () => {
    // The poison's group holds other keys too, and other groups exist: the test covers both.
    const poisonGroup = groupOf(keyOf(POISON));
    expect(KEYS.filter((k) => groupOf(k) === poisonGroup).length).toBeGreaterThan(1);
    expect(KEYS.some((k) => groupOf(k) !== poisonGroup)).toBe(true);

    const kinesis = pipeline().clients.get(KinesisClient);
    for (let i = 0; i < N; i += 10) {
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: 'input',
          Records: Array.from({ length: 10 }, (_, k) => ({
            PartitionKey: keyOf(i + k),
            Data: Buffer.from(data(i + k)),
          })),
        }),
      );
    }

    const sqs = pipeline().clients.get(SQSClient);
    const dlqUrl = pipeline().stack.targets.find((t) => t.name === 'ledger')?.dlqUrl ?? '';
    let dead: Message[] = [];
    await waitFor(
      async () => {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 0,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['SentTimestamp'],
          }),
        );
        dead = out.Messages ?? [];
        return dead.length > 0 && (await readStream(kinesis, 'ledger')).length >= N - 1;
      },
      90_000,
      'the poison record in the DLQ and every other record delivered',
    );

    // The DLQ holds the poison record alone, with the reason, in a form `fanout replay` reads.
    expect(dead).toHaveLength(1);
    const [message] = dead;
    const envelope = decodeEnvelope(message?.Body);
    expect(envelope.records.map((r) => Buffer.from(r.d ?? '', 'base64').toString())).toEqual([data(POISON)]);
    expect(message?.MessageAttributes?.ErrorMessage?.StringValue).toMatch(
      /^DeliveryError: 1 record\(s\) not delivered to target "ledger".*record data is not JSON/,
    );
    const deadAt = Number(message?.Attributes?.SentTimestamp);

    // Every other record once; each key in the order it was put.
    const out = await readStream(kinesis, 'ledger');
    const numbers = out.map(recordNumber);
    expect([...numbers].sort((a, b) => a - b)).toEqual(
      Array.from({ length: N }, (_, i) => i).filter((i) => i !== POISON),
    );
    for (const key of KEYS) {
      const mine = out.filter((r) => r.PartitionKey === key).map(recordNumber);
      expect(mine, key).toEqual([...mine].sort((a, b) => a - b));
    }
    // The poison's key: its later records arrived after the poison went to the DLQ (held back until then).
    const later = out.filter((r) => r.PartitionKey === keyOf(POISON) && recordNumber(r) > POISON);
    expect(later.length).toBeGreaterThan(0);
    for (const r of later) expect(arrivedAt(r), `record ${recordNumber(r)}`).toBeGreaterThanOrEqual(deadAt);
    // The other groups did not wait for it: all of their records arrived while it was held (the hold lasts
    // the 18 s visibility timeout; the 70-odd records of the other groups need a second or two).
    const others = out.filter((r) => groupOf(r.PartitionKey ?? '') !== poisonGroup);
    expect(others.length).toBeGreaterThan(0);
    for (const r of others) expect(arrivedAt(r), `record ${recordNumber(r)}`).toBeLessThan(deadAt);

    const status = await pipeline().status();
    expect(status.targets.find((t) => t.name === 'ledger')).toMatchObject({ dlqMessages: 1 });
  }, 150_000);
});
