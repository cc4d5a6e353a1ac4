/**
 * The chaos harness's own logic: seeded fault decisions, the SQS fault proxy, and the audit's attribution of
 * duplicates. The run itself, at CI size, is test/chaos/run.test.ts.
 */
import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { auditTarget, unexplainedOutOfOrder } from '../../harness/chaos/audit.js';
import { sqsFaults } from '../../harness/chaos/aws-faults.js';
import { startHttpDestination } from '../../harness/chaos/http-destination.js';
import { type Attribution, FaultLog } from '../../harness/chaos/log.js';
import { lostAnswers } from '../../harness/chaos/lost-answers.js';
import { seededRandom } from '../../harness/chaos/prng.js';
import { jsonAnswer, startFaultProxy } from '../../harness/chaos/proxy.js';
import {
  chaosRecord,
  putChaosRecords,
  recordIndexOf,
  type SourcePosition,
} from '../../harness/chaos/records.js';
import { sequenceNumber } from '../../harness/support/factories.js';

const attribution = (over: Partial<Attribution> = {}): Attribution => ({
  diedAfterDelivery: new Map(),
  answerLost: new Map(),
  storeOutage: new Map(),
  ...over,
});

/** Positions of records 0..n-1 in one shard, sequence numbers increasing with the index. */
const positionsOf = (n: number): SourcePosition[] =>
  Array.from({ length: n }, (_, i) => ({ shard: 'shardId-0', sequenceNumber: sequenceNumber(i) }));

/** An audit of records 0-3 arriving in `arrived` order (at `t0 + k` ms for the k-th), keys `a` (even) and `b` (odd). */
const audit = (
  arrived: number[],
  over: Partial<Attribution> = {},
  order: { ordered?: boolean; replayStartedAt?: number } = {},
) =>
  auditTarget({
    target: 't',
    kind: 'http/invoke',
    records: 4,
    arrived: arrived.map((i, k) => ({ data: chaosRecord(i), at: 1_000 + k })),
    indexOf: recordIndexOf,
    attribution: attribution(over),
    inDlq: 0,
    order: {
      ordered: order.ordered ?? false,
      partitionKeyOf: (i) => (i % 2 === 0 ? 'a' : 'b'),
      positions: positionsOf(4),
      replayStartedAt: order.replayStartedAt,
    },
  });

describe('chaos', () => {
  it('same seed, same fault decisions', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
    expect(recordIndexOf(Buffer.from('{"chaos":42}'))).toBe(42);
  });

  it('fails SendMessageBatch entries in Failed[] and forwards only the others', async () => {
    const forwarded: string[] = [];
    const handler = sqsFaults({ random: () => 0.5, throttleRate: () => 0, entryFailureRate: () => 0.6 });
    const answer = await handler(
      {
        method: 'POST',
        url: '/',
        headers: {},
        operation: 'AmazonSQS.SendMessageBatch',
        body: Buffer.from(JSON.stringify({ QueueUrl: 'q', Entries: [{ Id: '0' }, { Id: '1' }] })),
      },
      async (req) => {
        forwarded.push(req.body.toString());
        return { status: 200, headers: {}, body: Buffer.from('{"Successful":[]}') };
      },
    );
    expect(forwarded).toEqual([]);
    expect(JSON.parse(answer.body.toString()).Failed).toHaveLength(2);
  });

  it("knows each record's position as soon as its PutRecords is answered, not after the last one", async () => {
    // Workers deliver (and die) while a large run is still putting; a death's look-up needs the keys of
    // what was delivered before it.
    const kinesis = mockClient(KinesisClient);
    const positions: SourcePosition[] = [];
    const seenBySecondCall: Array<SourcePosition | undefined> = [];
    let call = 0;
    kinesis.on(PutRecordsCommand).callsFake(async (input: { Records: unknown[] }) => {
      call++;
      if (call === 2) seenBySecondCall.push(positions[0], positions[499]);
      return {
        Records: input.Records.map((_, n) => ({ ShardId: 'shardId-0', SequenceNumber: `${call}-${n}` })),
      };
    });
    await putChaosRecords(new KinesisClient({ region: 'us-east-1' }), 'in', 600, positions);
    expect(seenBySecondCall).toEqual([
      { shard: 'shardId-0', sequenceNumber: '1-0' },
      { shard: 'shardId-0', sequenceNumber: '1-499' },
    ]);
    expect(positions[599]).toEqual({ shard: 'shardId-0', sequenceNumber: '2-99' });
    kinesis.restore();
  });

  it('lets the store outage explain what it left unrecorded before it, found once the run settled', () => {
    const log = new FaultLog();
    log.applied('t', 1, 1_000);
    log.applied('t', 2, 8_000);
    log.applied('t', 3, 9_500);
    log.storeDown(10_000);
    log.storeUp(12_000);
    // Record 2 was applied 2 s before the outage and its key never recorded; record 1 was recorded.
    log.leftUnrecordedByStore('t', [2]);
    expect([...(log.attribution().storeOutage.get('t') ?? [])].sort()).toEqual([2, 3]);
  });

  it('counts missing records and duplicates no window explains', () => {
    const report = audit([0, 1, 1, 2]);
    expect(report).toMatchObject({ delivered: 3, missing: 1, duplicated: 1, unexplainedDuplicates: 1 });
    expect(report.examples).toEqual({ missing: [3], unexplained: [1], outOfOrder: [] });
  });

  it('finds a record delivered after a later record of its key, judging first deliveries only', () => {
    // Key a: 0, 2; key b: 1, 3. 2 before 0 puts 0 out of order; the second 1 (a duplicate) does not count.
    const report = audit([2, 1, 0, 3, 1], {}, { ordered: true });
    expect(report).toMatchObject({ ordered: true, outOfOrder: 1, outOfOrderAfterReplay: 0 });
    expect(report.examples.outOfOrder).toEqual([0]);
    expect(unexplainedOutOfOrder(report)).toBe(1);
    // Across keys, any order: 1 before 0, 3 before 2 is no finding.
    expect(audit([1, 0, 3, 2], {}, { ordered: true }).outOfOrder).toBe(0);
  });

  it('does not count against a target what a DLQ replay delivered late, nor anything at an unordered one', () => {
    // Record 0 arrives at t0 + 2, after the replay began (t0 + 1): late by design.
    const replayed = audit([2, 1, 0, 3], {}, { ordered: true, replayStartedAt: 1_001 });
    expect(replayed).toMatchObject({ outOfOrder: 1, outOfOrderAfterReplay: 1 });
    expect(unexplainedOutOfOrder(replayed)).toBe(0);
    const unordered = audit([2, 1, 0, 3]);
    expect(unordered).toMatchObject({ ordered: false, outOfOrder: 1 });
    expect(unexplainedOutOfOrder(unordered)).toBe(0);
    expect(unordered.examples.outOfOrder).toEqual([]);
  });

  it('lets each window explain one extra delivery of a record, no more', () => {
    const report = audit([0, 0, 0, 1, 1, 2, 2, 3], {
      diedAfterDelivery: new Map([['t', new Map([[0, 1]])]]),
      answerLost: new Map([['t', new Map([[1, 1]])]]),
      storeOutage: new Map([['t', new Set([2])]]),
    });
    expect(report).toMatchObject({
      missing: 0,
      duplicated: 4,
      crashDuplicates: 1,
      answerLostDuplicates: 1,
      storeDuplicates: 1,
      unexplainedDuplicates: 1,
    });
    expect(report.examples.unexplained).toEqual([0]);
  });

  it('explains one more delivery for each answer lost, as for each death', () => {
    // Record 0 applied 3 times: two lost answers explain both extra deliveries; one leaves one unexplained.
    const twice = audit([0, 0, 0, 1, 2, 3], { answerLost: new Map([['t', new Map([[0, 2]])]]) });
    expect(twice).toMatchObject({ duplicated: 2, answerLostDuplicates: 2, unexplainedDuplicates: 0 });
    const once = audit([0, 0, 0, 1, 2, 3], { answerLost: new Map([['t', new Map([[0, 1]])]]) });
    expect(once).toMatchObject({ duplicated: 2, answerLostDuplicates: 1, unexplainedDuplicates: 1 });
  });

  it('counts every lost answer of a record in the fault log', () => {
    const log = new FaultLog();
    log.answerLost('t', 5);
    log.answerLost('t', 5);
    log.answerLost('t', 6);
    expect(log.attribution().answerLost.get('t')).toEqual(
      new Map([
        [5, 2],
        [6, 1],
      ]),
    );
    expect(log.timeline('t', 5).answersLost).toBe(2);
  });

  it('counts a call whose caller went away before the answer as lost in the AWS proxy', async () => {
    const lost: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const proxy = await startFaultProxy(async (request) => {
      await slow;
      return { ...jsonAnswer(200, {}), lost: () => lost.push(request.body.toString()) };
    });
    try {
      const aborted = new AbortController();
      const call = fetch(`${proxy.url}/`, { method: 'POST', body: 'applied', signal: aborted.signal });
      await new Promise((r) => setTimeout(r, 100));
      aborted.abort();
      await call.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      release();
      await waitFor(() => lost.length > 0);
      expect(lost).toEqual(['applied']);
    } finally {
      await proxy.stop();
    }
  });

  it('counts an answer its caller never read (it closed before or right after it) as lost, and not one it read', async () => {
    const lost: string[] = [];
    const destination = await startHttpDestination();
    destination.faults = {
      error: () => false,
      down: () => false,
      onAnswerLost: (_path, body) => lost.push(body.toString()),
    };
    const proxy = await startFaultProxy(async (request) => {
      // The caller that closes before the answer: answer once its FIN is in (the emulator was slow).
      if (request.body.toString() === 'closed') await new Promise((r) => setTimeout(r, 100));
      return { ...jsonAnswer(200, {}), lost: () => lost.push(`proxy:${request.body.toString()}`) };
    });
    const open: Array<Socket | undefined> = [];
    try {
      for (const url of [destination.url, proxy.url]) {
        open.push(await rawPost(url, 'read', 'read, then reuse'));
        await rawPost(url, 'unread', 'abort unread');
      }
      await rawPost(proxy.url, 'closed', 'close before the answer');
      await waitFor(() => lost.length >= 3);
      await new Promise((r) => setTimeout(r, 100));
      expect(lost.sort()).toEqual(['proxy:closed', 'proxy:unread', 'unread']);
    } finally {
      for (const socket of open) socket?.destroy();
      await destination.stop();
      await proxy.stop();
    }
  });

  it('does not count a close long after the answer (an idle keep-alive connection) as lost', async () => {
    const lost: string[] = [];
    const watcher = lostAnswers(50);
    const server = createServer((req, res) => {
      watcher.request(req);
      req.resume();
      req.on('end', () => {
        watcher.answered(req, () => lost.push('lost'));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await rawPost(url, 'read', 'read, then close after 200 ms');
      await new Promise((r) => setTimeout(r, 100));
      expect(lost).toEqual([]);
      await rawPost(url, 'read', 'read, then close');
      await waitFor(() => lost.length > 0);
      expect(lost).toEqual(['lost']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

type RawPost =
  | 'read, then reuse'
  | 'read, then close'
  | 'read, then close after 200 ms'
  | 'abort unread'
  | 'close before the answer';

/**
 * A POST on a connection of its own, then: read the answer and send another request on the connection (a
 * caller that saw it), or close it at once or later, or abort with the answer unread (a reset), or close it
 * right after sending (the caller's deadline struck before the answer came).
 */
async function rawPost(url: string, body: string, how: RawPost): Promise<Socket | undefined> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const request = (b: string): string =>
    `POST /t HTTP/1.1\r\nHost: x\r\nContent-Length: ${b.length}\r\n\r\n${b}`;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.write(request(body));
  if (how === 'close before the answer') {
    socket.end();
    await closed;
    return undefined;
  }
  if (how === 'abort unread') {
    // Give the answer time to arrive in the socket's buffer, unread (the socket is paused), then abort.
    socket.pause();
    await new Promise((r) => setTimeout(r, 200));
    socket.resetAndDestroy();
    return undefined;
  }
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  if (how === 'read, then reuse') {
    socket.write(request('next'));
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    // Still open: its owner closes it after the check (a close now would be right after the second answer).
    return socket;
  }
  if (how === 'read, then close after 200 ms') await new Promise((r) => setTimeout(r, 200));
  socket.end();
  await closed;
  return undefined;
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !condition() && Date.now() < end; )
    await new Promise((r) => setTimeout(r, 20));
}
