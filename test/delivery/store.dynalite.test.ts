import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoKeyStore } from '../../lib/delivery/index.js';
import { type Emulator, startEmulator } from '../../lib/local/emulators.js';
import { createIdempotencyTable } from '../support/aws.js';

let dynalite: Emulator;
let client: DynamoDBClient;
const TABLE = 'delivered-keys';

beforeAll(async () => {
  dynalite = await startEmulator('dynamodb');
  client = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await createIdempotencyTable(client, TABLE);
}, 30_000);
afterAll(async () => {
  client?.destroy();
  await dynalite?.stop();
});

const keyStore = (now: () => number = Date.now) =>
  new DynamoKeyStore({ client, tableName: TABLE, ttlSeconds: 3_600, now });
const keys = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `${prefix}#${from + i}`);

describe('DynamoKeyStore on dynalite', () => {
  it('lets overlapping claims from two invocations take each key once', async () => {
    const a = keyStore();
    const b = keyStore();
    const lease = Date.now() + 60_000;
    const [first, second] = await Promise.all([
      a.claim(keys('o', 0, 150), lease),
      b.claim(keys('o', 100, 250), lease),
    ]);
    const all = [...first.claimed, ...second.claimed];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(keys('o', 0, 250)));
    // Each key the two share is claimed by one and reported busy to the other.
    expect(first.busy.every((k) => second.claimed.includes(k))).toBe(true);
    expect(second.busy.every((k) => first.claimed.includes(k))).toBe(true);
    expect(first.busy.length + second.busy.length).toBe(50);
  });

  it('skips delivered keys, holds live claims, and frees a claim when released or when its lease ends', async () => {
    let now = Date.now();
    const s = keyStore(() => now);
    const first = await s.claim(keys('p', 0, 4), now + 10_000);
    expect(first.claimed).toHaveLength(4);
    await s.markDelivered(['p#0']);
    await s.release(['p#1'], first.owner);
    // p#2 and p#3 stay claimed, as by an invocation that died: nobody else may take them until the lease ends.
    expect(await s.filterDelivered(keys('p', 0, 4))).toEqual(new Set(['p#0']));
    expect(await s.claim(keys('p', 0, 4), now + 10_000)).toMatchObject({
      claimed: ['p#1'],
      delivered: ['p#0'],
      busy: ['p#2', 'p#3'],
    });
    now += 10_001;
    const late = await s.claim(['p#2', 'p#3'], now + 10_000);
    expect(late).toMatchObject({ claimed: ['p#2', 'p#3'], delivered: [], busy: [] });
    // The first invocation, stalled past its lease, gives up what it thinks it holds: it holds nothing now.
    await s.release(['p#2', 'p#3'], first.owner);
    await s.markDelivered(['p#2']);
    expect(await s.claim(['p#2', 'p#3'], now + 10_000)).toMatchObject({
      claimed: [],
      delivered: ['p#2'],
      busy: ['p#3'],
    });
  });
});
