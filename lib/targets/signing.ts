import { createHmac, timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ClientPool } from '../aws/clients.js';
import { classifyError } from '../aws/retry.js';
import { parseSecretRef } from '../config/secret-ref.js';
import { SigningSecretError } from './errors.js';

/** Default header of the request signature (`http.signing.header`). */
export const SIGNATURE_HEADER = 'x-fanout-signature';
/** How long a fetched secret is used before it is fetched again: a rotation reaches every worker within it. */
export const SECRET_TTL_MS = 300_000;
/** How old a signature a receiver should accept by default (replay window), seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Gives the HMAC key of a secret reference (`ssm:...` or `secretsmanager:...`). Injected into the http adapter. */
export interface SecretProvider {
  get(ref: string, signal?: AbortSignal): Promise<Buffer>;
}

/**
 * Signs a request body, Stripe-style: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The timestamp
 * is inside the MAC, so a receiver that checks it also refuses an old request replayed later.
 *
 * @example
 * request.headers.set('x-fanout-signature', signatureHeader(key, body, Math.floor(Date.now() / 1000)));
 */
export function signatureHeader(key: Buffer, body: Buffer, unixSeconds: number): string {
  const mac = createHmac('sha256', key).update(`${unixSeconds}.`).update(body).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * What a receiver does with the header (also the reference for docs/security.md): parse `t` and every `v1`,
 * recompute the HMAC over the raw body bytes, compare in constant time, and refuse a timestamp further than
 * `toleranceSeconds` from its own clock. Several `v1` values are accepted, so a sender can sign with an old and
 * a new secret during a rotation.
 */
export function verifySignature(
  header: string | undefined,
  body: Buffer,
  key: Buffer,
  options: { nowSeconds: number; toleranceSeconds?: number },
): SignatureCheck {
  if (!header) return { ok: false, reason: 'no signature header' };
  const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const macs = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v as string);
  if (!Number.isInteger(t) || macs.length === 0) return { ok: false, reason: 'malformed signature header' };
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(options.nowSeconds - t) > tolerance) {
    return { ok: false, reason: `timestamp ${t} is outside the ${tolerance} s tolerance` };
  }
  const expected = Buffer.from(signatureHeader(key, body, t).slice(`t=${t},v1=`.length), 'hex');
  const match = macs.some((mac) => {
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true, timestamp: t } : { ok: false, reason: 'signature does not match' };
}

/**
 * Caches a secret per reference for `ttlMs`: one fetch per container and period, shared by concurrent callers
 * (a cold worker sending 16 requests at once fetches once). A failed fetch is not cached.
 */
export function cachedSecretProvider(
  fetch: (ref: string, signal?: AbortSignal) => Promise<Buffer>,
  options: { ttlMs?: number; now?: () => number } = {},
): SecretProvider {
  const ttl = options.ttlMs ?? SECRET_TTL_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { value: Promise<Buffer>; expiresAt: number }>();
  return {
    get(ref, signal) {
      const hit = cache.get(ref);
      if (hit && now() < hit.expiresAt) return hit.value;
      const value = fetch(ref, signal);
      const entry = { value, expiresAt: Number.POSITIVE_INFINITY };
      cache.set(ref, entry);
      value.then(
        () => {
          entry.expiresAt = now() + ttl;
        },
        () => {
          if (cache.get(ref) === entry) cache.delete(ref);
        },
      );
      return value;
    },
  };
}

/**
 * Reads signing secrets from SSM Parameter Store (`GetParameter` with decryption: a SecureString) or Secrets
 * Manager (`GetSecretValue`: SecretString as UTF-8, or SecretBinary), with the pool's clients (in the ARN's
 * region when the reference is an ARN), cached by {@link cachedSecretProvider}. Errors become
 * {@link SigningSecretError}s that name the reference, never the value.
 */
export function awsSecretProvider(
  clients: ClientPool,
  options: { ttlMs?: number; now?: () => number } = {},
): SecretProvider {
  return cachedSecretProvider(async (text, signal) => {
    const ref = parseSecretRef(text);
    if (!ref) throw new SigningSecretError(text, false, 'is not an ssm: or secretsmanager: reference');
    try {
      if (ref.service === 'ssm') {
        const out = await clients
          .get(SSMClient, ref.arn?.region)
          .send(new GetParameterCommand({ Name: ref.id, WithDecryption: true }), { abortSignal: signal });
        const value = out.Parameter?.Value;
        if (!value) throw new SigningSecretError(text, false, 'the parameter has no value');
        return Buffer.from(value, 'utf8');
      }
      const out = await clients
        .get(SecretsManagerClient, ref.arn?.region)
        .send(new GetSecretValueCommand({ SecretId: ref.id }), { abortSignal: signal });
      if (out.SecretString) return Buffer.from(out.SecretString, 'utf8');
      if (out.SecretBinary?.length) return Buffer.from(out.SecretBinary);
      throw new SigningSecretError(text, false, 'the secret has no value');
    } catch (error) {
      if (error instanceof SigningSecretError) throw error;
      const { retryable, reason } = classifyError(error);
      throw new SigningSecretError(text, retryable, reason, { cause: error });
    }
  }, options);
}
