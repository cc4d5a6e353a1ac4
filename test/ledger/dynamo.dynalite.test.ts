/**
 * The ledger against dynalite (with the local emulator's conditional writes and transactions): what it must get
 * right, each shown on the wire. Positions are Kinesis version-2 sequence numbers, as AWS issues them.
 */
import { DeleteItemCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { kinesisSequenceNumber } from '../../harness/support/factories.js';
import { DynamoLedger, type DynamoLedgerOptions } from '../../lib/ledger/dynamo.js';
import type { Position } from '../../lib/ledger/position.js';
import type { LedgerScope } from '../../lib/ledger/types.js';
import { useLedgerTable } from '../support/ledger-table.js';

const TABLE = 'ledger';
const dynamo = useLedgerTable(TABLE);

let scopes = 0;
/** A ledger of its own for each test: another scope (target). */
const newScope = (): LedgerScope => ({
  scope: `t${++scopes}`,
  stream: 'input',
  shard: 'shardId-000000000000',
});
const ledger = (options: Partial<DynamoLedgerOptions> = {}) =>
  new DynamoLedger({ client: dynamo.client(), tableName: TABLE, ttlSeconds: 3_600, ...options });
const at = (n: number): Position => ({ seq: kinesisSequenceNumber(n) });
const range = (from: number, to: number): Position[] =>
  Array.from({ length: to - from }, (_, i) => at(from + i));
const keys = (positions: readonly Position[]) => positions.map((p) => p.seq).sort();
const LEASE = () => Date.now() + 60_000;

async function pagesOf(scope: LedgerScope): Promise<Array<Record<string, unknown>>> {
  const out = await dynamo.client().send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `ledger#${scope.scope}#${scope.stream}#${scope.shard}` } },
    }),
  );
  return out.Items ?? [];
}

describe('DynamoLedger on dynalite', () => {
  it('gives each record of two overlapping envelopes running at once to one of them', async () => {
    const scope = newScope();
    // The page exists already (an earlier delivery): the two race on its version, not on creating it.
    const earlier = await ledger().lease(scope, [at(1_000)], LEASE());
    await earlier.settle(earlier.leased);
    const [a, b] = await Promise.all([
      ledger().lease(scope, range(0, 150), LEASE()),
      ledger().lease(scope, range(100, 250), LEASE()),
    ]);
    const leased = [...a.leased, ...b.leased];
    expect(new Set(keys(leased)).size).toBe(leased.length);
    expect(keys(leased)).toEqual(keys(range(0, 250)));
    // Every shared record is leased by one and busy for the other.
    expect([...a.busy, ...b.busy]).toHaveLength(50);
    expect(keys([...a.busy, ...b.busy])).toEqual(keys(range(100, 150)));
  });

  it('lets many invocations lease overlapping envelopes of one shard at once without losing or doubling a record', async () => {
    const scope = newScope();
    // 12 invocations (a busy target on a parallelized shard, plus retries): every one gets an answer.
    const leases = await Promise.all(
      Array.from({ length: 12 }, (_, i) => ledger().lease(scope, range(i * 40, i * 40 + 100), LEASE())),
    );
    const leased = leases.flatMap((c) => c.leased);
    expect(new Set(keys(leased)).size).toBe(leased.length);
    expect(keys(leased)).toEqual(keys(range(0, 11 * 40 + 100)));
  });

  it('records exactly what was delivered: a record left out of an envelope stays undelivered between delivered neighbours', async () => {
    const scope = newScope();
    // Record 5 was filtered out for this target (or sent to the DLQ as oversize): the envelope skips it.
    const envelope = range(0, 10).filter((_, i) => i !== 5);
    const lease = await ledger().lease(scope, envelope, LEASE());
    await lease.settle(lease.leased);
    expect(keys(await ledger().delivered(scope, range(0, 10)))).toEqual(keys(envelope));
    // A later replay of record 5 (a changed filter, the oversize record lease-checked) still delivers it.
    const replay = await ledger().lease(scope, range(0, 10), LEASE());
    expect(keys(replay.leased)).toEqual(keys([at(5)]));
    expect(replay.delivered).toHaveLength(9);
  });

  it("holds a dead invocation's lease until it ends, keeping what it recorded before it died", async () => {
    const scope = newScope();
    let now = Date.now();
    const clock = () => now;
    const dead = await ledger({ now: clock }).lease(scope, range(0, 6), now + 10_000);
    // It delivered and recorded one call (records 0-2), then died before the next.
    await dead.settle(range(0, 3));
    const retry = await ledger({ now: clock }).lease(scope, range(0, 6), now + 10_000);
    expect(keys(retry.delivered)).toEqual(keys(range(0, 3)));
    expect(keys(retry.busy)).toEqual(keys(range(3, 6)));
    expect(retry.leased).toEqual([]);
    now += 10_001;
    const later = await ledger({ now: clock }).lease(scope, range(0, 6), now + 10_000);
    expect(keys(later.leased)).toEqual(keys(range(3, 6)));
  });

  it('frees a released lease at once, and writes nothing to release a lease whose records were all delivered', async () => {
    const scope = newScope();
    const l = ledger();
    const failed = await l.lease(scope, range(0, 4), LEASE());
    await failed.settle(range(0, 2));
    await failed.release();
    const retry = await l.lease(scope, range(0, 4), LEASE());
    expect(keys(retry.leased)).toEqual(keys(range(2, 4)));
    await retry.settle(retry.leased);
    const before = l.stats.writeUnits;
    await retry.release();
    expect(l.stats.writeUnits).toBe(before);
  });

  it('keeps KPL user records of one Kinesis record apart', async () => {
    const scope = newScope();
    const seq = kinesisSequenceNumber(9);
    const users = [0, 1, 2, 3].map((sub) => ({ seq, sub }));
    const lease = await ledger().lease(scope, users.slice(0, 2), LEASE());
    await lease.settle(lease.leased);
    const again = await ledger().lease(scope, users, LEASE());
    expect(again.delivered.map((p) => p.sub)).toEqual([0, 1]);
    expect(again.leased.map((p) => p.sub)).toEqual([2, 3]);
  });

  it('closes a page that grew past its size and opens the next, and still finds every record on either side', async () => {
    const scope = newScope();
    const l = ledger({ pageCloseBytes: 300 });
    // Every other record delivered, in envelopes of 20: a sparse ledger (the other half went elsewhere).
    for (let first = 0; first < 400; first += 20) {
      const lease = await l.lease(
        scope,
        range(first, first + 20).filter((_, i) => i % 2 === 0),
        LEASE(),
      );
      await lease.settle(lease.leased);
    }
    const pages = await pagesOf(scope);
    expect(pages.length).toBeGreaterThan(2);
    // Each page ends where the next starts.
    const bySk = pages.map((p) => ({
      start: (p.sk as { S: string }).S.slice(2),
      end: (p.e as { S: string } | undefined)?.S,
    }));
    for (let i = 0; i + 1 < bySk.length; i++) expect(bySk[i]?.end).toBe(bySk[i + 1]?.start);
    expect(bySk[bySk.length - 1]?.end).toBeUndefined();
    const delivered = await ledger().delivered(scope, range(0, 400));
    expect(keys(delivered)).toEqual(keys(range(0, 400).filter((_, i) => i % 2 === 0)));
    // An envelope across page boundaries: the odd records are leased, wherever their page is.
    const late = await ledger().lease(scope, range(0, 400), LEASE());
    expect(keys(late.leased)).toEqual(keys(range(0, 400).filter((_, i) => i % 2 === 1)));
    await late.settle(late.leased);
    expect(await ledger().delivered(scope, range(0, 400))).toHaveLength(400);
  });

  it('lets concurrent writers of one page all get through (a refused write is made again on the page as it is)', async () => {
    const scope = newScope();
    const leases = await Promise.all(range(0, 10).map((p) => ledger().lease(scope, [p], LEASE())));
    await Promise.all(leases.map((c) => c.settle(c.leased)));
    expect(await ledger().delivered(scope, range(0, 10))).toHaveLength(10);
    expect(await pagesOf(scope)).toHaveLength(1);
  });

  it('records every delivery however many invocations write its page at once: a settle is never refused', async () => {
    const scope = newScope();
    // 12 containers, each with a lease on its own records of the one open page. Two attempts per write at the
    // most: a settle made as a conditional write of the page would be refused (11 of them hold a version that
    // others have written since) and give up, and the retry of its envelope would deliver its records again.
    const containers = Array.from({ length: 12 }, () => ledger({ maxAttempts: 2 }));
    const leases = [];
    for (const [i, l] of containers.entries())
      leases.push(await l.lease(scope, range(i * 30, i * 30 + 30), LEASE()));
    // Each sends three destination calls and settles each as it answers, all containers at once.
    await Promise.all(
      leases.map(async (lease, i) => {
        for (let call = 0; call < 3; call++)
          await lease.settle(range(i * 30 + call * 10, i * 30 + call * 10 + 10));
      }),
    );
    expect(containers.reduce((n, l) => n + l.stats.conflicts, 0)).toBe(0);
    expect(await ledger().delivered(scope, range(0, 360))).toHaveLength(360);
  });

  it('folds the settled positions into the page, and out of the leases, at the next whole-page write', async () => {
    const scope = newScope();
    const first = await ledger().lease(scope, range(0, 10), LEASE());
    await first.settle(first.leased);
    const [settled] = await pagesOf(scope);
    expect(settled?.x).toBeDefined();
    expect((settled?.c as { S?: string } | undefined)?.S).toContain(first.owner);
    const second = await ledger().lease(scope, range(10, 20), LEASE());
    const [folded] = await pagesOf(scope);
    expect(folded?.x).toBeUndefined();
    const leases = (folded?.c as { S?: string } | undefined)?.S ?? '';
    expect(leases).not.toContain(first.owner);
    expect(leases).toContain(second.owner);
    expect(await ledger().delivered(scope, range(0, 20))).toHaveLength(10);
  });

  it('records a settle whose page is gone (deleted by TTL under the lease) by writing the page whole', async () => {
    const scope = newScope();
    const lease = await ledger().lease(scope, range(0, 5), LEASE());
    const [page] = await pagesOf(scope);
    await dynamo
      .client()
      .send(
        new DeleteItemCommand({ TableName: TABLE, Key: { pk: page?.pk as never, sk: page?.sk as never } }),
      );
    await lease.settle(lease.leased);
    expect(await ledger().delivered(scope, range(0, 5))).toHaveLength(5);
  });

  it("shares a container's page writes between its concurrent leases (a queue batch's envelopes)", async () => {
    const scope = newScope();
    const l = ledger();
    const leases = await Promise.all(
      Array.from({ length: 10 }, (_, i) => l.lease(scope, range(i * 100, i * 100 + 100), LEASE())),
    );
    expect(leases.flatMap((c) => c.leased)).toHaveLength(1_000);
    await Promise.all(leases.map((c) => c.settle(c.leased)));
    // One write per round of changes, not one per lease and settle: none refused, far fewer than 20.
    expect(l.stats.conflicts).toBe(0);
    expect(l.stats.byCommand.PutItem).toBeLessThanOrEqual(6);
    expect(await ledger().delivered(scope, range(0, 1_000))).toHaveLength(1_000);
  });

  it('costs a few writes per envelope, not per record: 1,000 records in two calls, then a replay', async () => {
    const scope = newScope();
    const l = ledger();
    const lease = await l.lease(scope, range(0, 1_000), LEASE());
    await lease.settle(range(0, 500));
    await lease.settle(range(500, 1_000));
    await lease.release();
    // A lease, and one settle (an unconditional update) per destination call; nothing left to release.
    expect(l.stats.byCommand).toEqual({ Query: 1, PutItem: 1, UpdateItem: 2 });
    expect(l.stats.writeUnits).toBe(3);
    const replay = ledger();
    const again = await replay.lease(scope, range(0, 1_000), LEASE());
    expect(again.delivered).toHaveLength(1_000);
    expect(replay.stats.byCommand).toEqual({ Query: 1 });
    expect(replay.stats.writeUnits).toBe(0);
  });

  it('fails with the error when the table cannot be reached, instead of answering "nothing delivered"', async () => {
    const gone = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const l = new DynamoLedger({ client: gone, tableName: TABLE, ttlSeconds: 60, maxAttempts: 2 });
    await expect(l.lease(newScope(), range(0, 3), LEASE())).rejects.toThrow(/ECONNREFUSED/);
    gone.destroy();
  });
});
