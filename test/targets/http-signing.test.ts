/**
 * Request signing against a real local HTTP server that verifies the HMAC the way docs/security.md tells a
 * receiver to: with node:crypto directly, not with the library's own verifySignature.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../lib/config/index.js';
import { SigningSecretError, TargetDestinationError } from '../../lib/targets/errors.js';
import { createHttpAdapter } from '../../lib/targets/http.js';
import type { SecretProvider } from '../../lib/targets/signing.js';
import { adapterContextFactory, awsError, deliveryRecordFactory } from './factories.js';

const SECRET = 'whsec_5f3a9c';
const NOW_MS = 1_750_000_000_123;
let server: Server;
let base: string;
const seen: Array<{ headers: IncomingHttpHeaders; body: Buffer; verdict: string }> = [];

/** A receiver's check: t and v1 from the header, HMAC of "<t>.<raw body>", constant-time compare. */
function receiverVerdict(header: string | undefined, body: Buffer): string {
  if (!header) return 'missing';
  const fields = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const expected = createHmac('sha256', SECRET).update(`${fields.t}.`).update(body).digest();
  const given = Buffer.from(fields.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const name = req.url === '/custom' ? 'x-partner-sig' : 'x-fanout-signature';
      const verdict = receiverVerdict(req.headers[name] as string | undefined, body);
      seen.push({ headers: req.headers, body, verdict });
      res.writeHead(verdict === 'valid' ? 204 : 401).end(verdict === 'valid' ? undefined : 'bad signature');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

const fixedSecret = (value: string): SecretProvider & { calls: number } => {
  const provider = {
    calls: 0,
    get: async () => {
      provider.calls += 1;
      return Buffer.from(value);
    },
  };
  return provider;
};

function signingTarget(
  path = '/hook',
  header = 'x-fanout-signature',
): Partial<TargetConfig> & { type: 'http' } {
  return {
    type: 'http',
    name: 'partner',
    destination: `${base}${path}`,
    http: {
      method: 'POST',
      headers: {},
      contentType: 'application/json',
      timeoutMs: 5_000,
      allowInsecure: true,
      allowPrivate: true,
      signing: { secret: 'ssm:/fanout/partner/signing', header, algorithm: 'sha256' },
    },
  };
}

describe('http adapter request signing', () => {
  it('signs every request so that the receiver verifies it, binary bodies included', async () => {
    const secrets = fixedSecret(SECRET);
    const adapter = createHttpAdapter(adapterContextFactory(signingTarget()), { secrets, now: () => NOW_MS });
    const records = ['{"a":1}', '{"b":2}', Buffer.from([0, 255, 13, 10])].map((data) =>
      deliveryRecordFactory({ data }),
    );

    expect(await adapter.deliver(records)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(seen.map((s) => s.verdict)).toEqual(['valid', 'valid', 'valid']);
    expect(seen[0]?.headers['x-fanout-signature']).toMatch(/^t=1750000000,v1=[0-9a-f]{64}$/);
  });

  it('uses the configured header name, and the context’s provider when none is passed', async () => {
    const context = {
      ...adapterContextFactory(signingTarget('/custom', 'X-Partner-Sig')),
      secrets: fixedSecret(SECRET),
    };
    const adapter = createHttpAdapter(context);

    expect(await adapter.deliver([deliveryRecordFactory()])).toEqual([{ ok: true }]);
    expect(seen[0]?.verdict).toBe('valid');
    expect(seen[0]?.headers['x-fanout-signature']).toBeUndefined();
  });

  it('is refused by the receiver when signed with another secret: a permanent failure', async () => {
    const adapter = createHttpAdapter(adapterContextFactory(signingTarget()), {
      secrets: fixedSecret('rotated-away'),
    });

    expect(await adapter.deliver([deliveryRecordFactory()])).toEqual([
      { ok: false, retryable: false, reason: 'HTTP 401: bad signature' },
    ]);
  });

  it('fails the record with the reason, and sends nothing, when the secret cannot be read', async () => {
    const denied: SecretProvider = {
      get: async (ref) => {
        throw new SigningSecretError(ref, false, 'AccessDeniedException: not authorized');
      },
    };
    const adapter = createHttpAdapter(adapterContextFactory(signingTarget()), { secrets: denied });

    expect(await adapter.deliver([deliveryRecordFactory()])).toEqual([
      {
        ok: false,
        retryable: false,
        reason: 'signing secret ssm:/fanout/partner/signing: AccessDeniedException: not authorized',
      },
    ]);
    expect(seen).toHaveLength(0);
  });

  it('fetches the secret from SSM once for many records (cached per container)', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SECRET } });
    try {
      const adapter = createHttpAdapter(adapterContextFactory(signingTarget()));
      const outcomes = await adapter.deliver(Array.from({ length: 6 }, () => deliveryRecordFactory()));

      expect(outcomes).toEqual(Array(6).fill({ ok: true }));
      expect(seen.every((s) => s.verdict === 'valid')).toBe(true);
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    } finally {
      ssm.restore();
    }
  });

  it('reports SSM throttling as retryable', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    try {
      const [outcome] = await createHttpAdapter(adapterContextFactory(signingTarget())).deliver([
        deliveryRecordFactory(),
      ]);
      expect(outcome).toMatchObject({
        ok: false,
        retryable: true,
        reason: expect.stringContaining('Rate exceeded'),
      });
    } finally {
      ssm.restore();
    }
  });

  it('refuses a signing header that the adapter sets itself', () => {
    expect(() =>
      createHttpAdapter(adapterContextFactory(signingTarget('/hook', 'Idempotency-Key')), {
        secrets: fixedSecret(SECRET),
      }),
    ).toThrow(TargetDestinationError);
  });
});
