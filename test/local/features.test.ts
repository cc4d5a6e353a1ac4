/**
 * Local mode end to end for the breadth features: an ordered http target through an SQS FIFO queue (fauxqs), large
 * records claim-checked through fauxqs's S3, and a discovered target that picks up streams created while the
 * pipeline runs. The real (bundled) dispatcher and workers in the local Lambda runtime.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { readStream } from '../../harness/support/aws.js';
import { parseConfig } from '../../lib/config/index.js';
import { useLocalPipeline } from '../support/local-pipeline.js';
import { waitFor } from './support.js';

/**
 * The ordered target's destination: an HTTP endpoint that takes 600 ms for every tenth record and notes the
 * order it accepted records in. Without the FIFO hand-off, a worker would deliver a key's next envelope while
 * the slow record of its previous one is still waiting, and the order would break.
 */
const accepted: Array<{ key: string; n: number }> = [];
const endpoint = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { key: string; n: number };
    setTimeout(
      () => {
        accepted.push({ key: body.key, n: body.n });
        res.writeHead(200).end();
      },
      body.n % 10 === 0 ? 600 : 0,
    );
  });
});

let kinesis: KinesisClient;

const pipeline = useLocalPipeline(
  async () => {
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/ordered`;
    const config = parseConfig({
      source: { stream: 'input', batchSize: 10, startingPosition: 'TRIM_HORIZON' },
      // Small hand-off limits: a 6 KB record is "large" (claim-checked), as a 2 MB one would be on AWS.
      dispatcher: { invokePayloadLimit: 4096, queueMessageLimit: 4096 },
      claimCheck: {},
      discover: { kinesisStreamPrefix: 'app-output-', refreshSeconds: 1, concurrency: 2 },
      targets: [
        {
          name: 'ordered',
          type: 'http',
          destination: 'https://example.com/ordered',
          local: { destination: url },
          ordered: true,
          messageGroups: 3,
          concurrency: 4,
        },
        { name: 'plain', type: 'kinesis', destination: 'plain-out', concurrency: 2 },
      ],
    });
    return { config, timeScale: 0.001 };
  },
  {
    timeoutMs: 60_000,
    ready: async (pipeline) => {
      kinesis = pipeline.clients.get(KinesisClient);
    },
  },
);

afterAll(async () => {
  await new Promise((resolve) => endpoint.close(resolve));
});

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];
const text = (data: Uint8Array | undefined): string => Buffer.from(data ?? new Uint8Array()).toString();

/** `{"key":"k1","n":7}`, with padding that makes every fifth record larger than the hand-off limit. */
function record(n: number): { PartitionKey: string; Data: Buffer } {
  const key = KEYS[n % KEYS.length]!;
  const pad = n % 5 === 4 ? 'x'.repeat(6_000) : '';
  return { PartitionKey: key, Data: Buffer.from(JSON.stringify({ key, n, pad })) };
}

async function put(from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i += 25) {
    const n = Math.min(25, from + count - i);
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'input',
        Records: Array.from({ length: n }, (_, k) => record(i + k)),
      }),
    );
  }
}

async function createStream(name: string): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await waitFor(
    async () =>
      (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary
        ?.StreamStatus === 'ACTIVE',
    10_000,
  );
}

const byNumber = (a: number, b: number): number => a - b;

const numbersOf = async (stream: string): Promise<Array<{ key: string; n: number; pad: string }>> =>
  (await readStream(kinesis, stream)).map((r) => JSON.parse(text(r.Data)));

describe('local mode: ordered targets, claim check, discovery', () => {
  it('keeps per-key order through the FIFO hand-off, claim-checks large records, and finds new streams', async () => {
    await createStream('app-output-a');
    await put(0, 60);

    // Every target gets every record, large ones whole (read back from S3 by the workers).
    await waitFor(async () => (await numbersOf('plain-out')).length >= 60, 30_000, 'plain-out');
    await waitFor(async () => (await numbersOf('app-output-a')).length >= 60, 20_000, 'app-output-a');
    const all = Array.from({ length: 60 }, (_, i) => i);
    for (const stream of ['plain-out', 'app-output-a']) {
      const out = await numbersOf(stream);
      expect(out.map((r) => r.n).sort(byNumber), stream).toEqual(all);
      expect(
        out.filter((r) => r.pad.length === 6_000),
        stream,
      ).toHaveLength(12);
      // Both are kinesis targets, ordered by default: each key in the order it was put, claim-checked or not.
      for (const key of KEYS) {
        const mine = out.filter((r) => r.key === key).map((r) => r.n);
        expect(mine, `${stream} ${key}`).toEqual([...mine].sort(byNumber));
      }
    }

    // The ordered target: each key's records in the order they were put, across many envelopes and 4 workers.
    await waitFor(async () => accepted.length >= 60, 30_000, 'ordered endpoint');
    expect(accepted.map((r) => r.n).sort(byNumber)).toEqual(all);
    for (const key of KEYS) {
      const mine = accepted.filter((r) => r.key === key).map((r) => r.n);
      expect(mine, key).toEqual([...mine].sort(byNumber));
    }

    // Each large record was stored once, under the stack's prefix, whatever the number of targets.
    const s3 = pipeline().clients.get(S3Client);
    const bucket = pipeline().stack.claimCheckBucket ?? '';
    const objects = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'fanout-local/input/' }),
    );
    expect(objects.KeyCount).toBe(12);

    // A stream created while running receives the records that come after the next refresh.
    await createStream('app-output-b');
    await new Promise((r) => setTimeout(r, 1_500));
    await put(60, 20);
    await waitFor(async () => (await numbersOf('app-output-b')).length >= 20, 20_000, 'app-output-b');
    expect((await numbersOf('app-output-b')).map((r) => r.n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => 60 + i),
    );
    await waitFor(async () => (await numbersOf('app-output-a')).length >= 80, 20_000, 'app-output-a');
    const status = await pipeline().status();
    expect(status.targets.find((t) => t.name === 'discovered')).toMatchObject({ dlqMessages: 0 });
    expect(status.targets.find((t) => t.name === 'ordered')).toMatchObject({ dlqMessages: 0 });
  }, 55_000);
});
