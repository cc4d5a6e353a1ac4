/** Cross-account and cross-region clients: assumed-role credentials, cached and refreshed before they expire. */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumedKeyId, type FakeSts, startFakeSts } from '../../harness/support/sts.js';
import { ClientPool, type Credentials } from '../../lib/aws/clients.js';
import {
  cachedCredentials,
  REFRESH_BEFORE_MS,
  stsAssumeRole,
  targetClientPools,
} from '../../lib/targets/credentials.js';

const ROLE = 'arn:aws:iam::210987654321:role/fanout-writer';
const HOUR = 3_600_000;

let now = Date.parse('2030-01-01T00:00:00Z');
let sts: FakeSts;
const saved = { endpoint: process.env.AWS_ENDPOINT_URL_STS, region: process.env.AWS_REGION };

beforeAll(async () => {
  sts = await startFakeSts(() => now);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAWORKERROLE',
    AWS_SECRET_ACCESS_KEY: 'worker-secret',
  });
});

afterAll(async () => {
  await sts.stop();
  if (saved.endpoint === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
  else process.env.AWS_ENDPOINT_URL_STS = saved.endpoint;
  if (saved.region !== undefined) process.env.AWS_REGION = saved.region;
});

describe('cachedCredentials with STS AssumeRole (a fake STS endpoint)', () => {
  it('assumes the role once, reuses the credentials, and refreshes them 5 minutes before they expire', async () => {
    sts.calls.length = 0;
    const credentials = cachedCredentials(
      stsAssumeRole({ role: ROLE, externalId: 'ext-42', sessionName: 'fanout-orders' }),
      { now: () => now },
    );
    const first = await credentials();
    expect(first.accessKeyId).toBe(assumedKeyId(1));
    expect(sts.calls).toEqual([
      {
        roleArn: ROLE,
        externalId: 'ext-42',
        sessionName: 'fanout-orders',
        durationSeconds: 3600,
        signedBy: 'AKIAWORKERROLE',
      },
    ]);

    now += HOUR - REFRESH_BEFORE_MS - 1;
    expect((await credentials()).accessKeyId).toBe(assumedKeyId(1));
    expect(sts.calls).toHaveLength(1);

    now += 1;
    const second = await credentials();
    expect(second.accessKeyId).toBe(assumedKeyId(2));
    expect(second.expiration?.getTime()).toBe(now + HOUR);
    expect(sts.calls).toHaveLength(2);
  });
});

describe('cachedCredentials', () => {
  const issuing = () => {
    let issued = 0;
    let clock = 0;
    const provider = async (): Promise<Credentials> => {
      issued++;
      return {
        accessKeyId: `key-${issued}`,
        secretAccessKey: 's',
        expiration: new Date(clock + 10 * 60_000),
      };
    };
    return { provider, issued: () => issued, now: () => clock, advance: (ms: number) => (clock += ms) };
  };

  it('shares one refresh between concurrent callers', async () => {
    const source = issuing();
    const credentials = cachedCredentials(source.provider, { now: source.now });
    const keys = await Promise.all([credentials(), credentials(), credentials()]);
    expect(keys.map((k) => k.accessKeyId)).toEqual(['key-1', 'key-1', 'key-1']);
    expect(source.issued()).toBe(1);
  });

  it('does not cache a failure: the next call asks again', async () => {
    let calls = 0;
    const credentials = cachedCredentials(async () => {
      if (calls++ === 0) throw new Error('AccessDenied: not authorized to perform sts:AssumeRole');
      return { accessKeyId: 'ok', secretAccessKey: 's' };
    });
    await expect(credentials()).rejects.toThrow(/AccessDenied/);
    expect((await credentials()).accessKeyId).toBe('ok');
  });
});

describe('targetClientPools', () => {
  const pool = new ClientPool();

  it('gives targets without role or region the function’s own pool', () => {
    expect(targetClientPools(pool, { assumeRole: stsAssumeRole })({ name: 'plain' })).toBe(pool);
  });

  it('gives one pool per role, external id and region, whose clients use that region and the assumed role', async () => {
    sts.calls.length = 0;
    const assumed: string[] = [];
    const poolOf = targetClientPools(pool, {
      assumeRole: (request) => async () => {
        assumed.push(`${request.role}|${request.externalId}|${request.sessionName}`);
        return { accessKeyId: 'ASIAFROMROLE', secretAccessKey: 's', expiration: new Date(Date.now() + HOUR) };
      },
    });
    const a = poolOf({ name: 'a', role: ROLE, externalId: 'x', region: 'eu-west-1' });
    expect(poolOf({ name: 'b', role: ROLE, externalId: 'x', region: 'eu-west-1' })).toBe(a);
    expect(poolOf({ name: 'c', role: ROLE, region: 'eu-west-1' })).not.toBe(a);
    const regional = poolOf({ name: 'd', region: 'ap-southeast-2' });
    expect(regional).not.toBe(pool);

    const client = a.get(KinesisClient);
    expect(await client.config.region()).toBe('eu-west-1');
    expect((await client.config.credentials()).accessKeyId).toBe('ASIAFROMROLE');
    expect(assumed).toEqual([`${ROLE}|x|fanout-a`]);
    expect(await regional.get(KinesisClient).config.region()).toBe('ap-southeast-2');
    expect((await regional.get(KinesisClient).config.credentials()).accessKeyId).toBe('AKIAWORKERROLE');
  });
});
