import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../lib/aws/clients.js';
import { SigningSecretError } from '../../lib/targets/errors.js';
import {
  awsSecretProvider,
  cachedSecretProvider,
  signatureHeader,
  verifySignature,
} from '../../lib/targets/signing.js';
import { awsError } from './factories.js';

const ssm = mockClient(SSMClient);
const secretsManager = mockClient(SecretsManagerClient);
const key = Buffer.from('whsec_test');
const body = Buffer.from('{"order":42}');

beforeEach(() => {
  ssm.reset();
  secretsManager.reset();
});

describe('signatureHeader', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', 'whsec_test').update('1700000000.{"order":42}').digest('hex');
    expect(signatureHeader(key, body, 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('covers binary bodies byte for byte', () => {
    const binary = Buffer.from([0, 255, 10, 13]);
    const header = signatureHeader(key, binary, 5);
    expect(verifySignature(header, binary, key, { nowSeconds: 5 })).toEqual({ ok: true, timestamp: 5 });
    expect(verifySignature(header, Buffer.from([0, 255, 10, 12]), key, { nowSeconds: 5 }).ok).toBe(false);
  });
});

describe('verifySignature', () => {
  const header = signatureHeader(key, body, 1_000);

  it('accepts the signature of the body, with the right secret, within the tolerance', () => {
    expect(verifySignature(header, body, key, { nowSeconds: 1_200 })).toEqual({ ok: true, timestamp: 1_000 });
  });

  it('refuses another body, another secret, an old timestamp and a malformed header', () => {
    expect(verifySignature(header, Buffer.from('{"order":43}'), key, { nowSeconds: 1_000 })).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(verifySignature(header, body, Buffer.from('other'), { nowSeconds: 1_000 }).ok).toBe(false);
    expect(verifySignature(header, body, key, { nowSeconds: 1_301 })).toEqual({
      ok: false,
      reason: 'timestamp 1000 is outside the 300 s tolerance',
    });
    expect(verifySignature('v1=abc', body, key, { nowSeconds: 1_000 }).ok).toBe(false);
    expect(verifySignature(undefined, body, key, { nowSeconds: 1_000 }).ok).toBe(false);
  });

  it('accepts any of several v1 values (a sender signing with the old and the new secret)', () => {
    const other = signatureHeader(Buffer.from('old'), body, 1_000).split(',')[1];
    expect(verifySignature(`${header},${other}`, body, key, { nowSeconds: 1_000 }).ok).toBe(true);
  });
});

describe('cachedSecretProvider', () => {
  it('fetches once per TTL, shares a fetch in flight, and fetches again after expiry', async () => {
    let clock = 0;
    let fetches = 0;
    const provider = cachedSecretProvider(
      async () => {
        fetches += 1;
        return Buffer.from(`secret-${fetches}`);
      },
      { ttlMs: 1_000, now: () => clock },
    );
    const first = await Promise.all([provider.get('ssm:/a'), provider.get('ssm:/a'), provider.get('ssm:/a')]);
    expect(first.map(String)).toEqual(['secret-1', 'secret-1', 'secret-1']);
    clock = 999;
    expect(String(await provider.get('ssm:/a'))).toBe('secret-1');
    clock = 1_000;
    expect(String(await provider.get('ssm:/a'))).toBe('secret-2');
    expect(fetches).toBe(2);
  });

  it('does not cache a failed fetch', async () => {
    let fetches = 0;
    const provider = cachedSecretProvider(async () => {
      fetches += 1;
      if (fetches === 1) throw new Error('throttled');
      return Buffer.from('ok');
    });
    await expect(provider.get('ssm:/a')).rejects.toThrow('throttled');
    expect(String(await provider.get('ssm:/a'))).toBe('ok');
  });
});

describe('awsSecretProvider', () => {
  const provider = () => awsSecretProvider(new ClientPool({ region: 'us-east-1' }));

  it('reads an SSM SecureString with decryption', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'from-ssm' } });
    expect(String(await provider().get('ssm:/fanout/partner/signing'))).toBe('from-ssm');
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: '/fanout/partner/signing',
      WithDecryption: true,
    });
  });

  it('reads a Secrets Manager secret string or binary, by name or ARN', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'from-sm' })
      .resolvesOnce({ SecretBinary: new Uint8Array([1, 2, 3]) });
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner-AbCdEf';
    expect(String(await provider().get('secretsmanager:partner'))).toBe('from-sm');
    expect([...(await provider().get(`secretsmanager:${arn}`))]).toEqual([1, 2, 3]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[1]?.args[0].input).toEqual({ SecretId: arn });
  });

  it('names the reference and classifies the error: access denied is permanent, throttling retryable', async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(awsError('AccessDeniedException', 'not authorized to perform ssm:GetParameter', 403))
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded', 400));
    const p = provider();
    const denied = await p.get('ssm:/x').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SigningSecretError);
    expect(denied).toMatchObject({
      name: 'SigningSecretError',
      retryable: false,
      message: 'signing secret ssm:/x: AccessDeniedException: not authorized to perform ssm:GetParameter',
    });
    expect(await p.get('ssm:/x').catch((e: unknown) => e)).toMatchObject({ retryable: true });
  });

  it('refuses a parameter without a value, permanently', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: {} });
    await expect(provider().get('ssm:/empty')).rejects.toMatchObject({
      retryable: false,
      message: 'signing secret ssm:/empty: the parameter has no value',
    });
  });
});
