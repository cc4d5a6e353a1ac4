import { describe, expect, it } from 'vitest';
import { isSecretHeader, REDACTED, redactHeaders, redactUrl } from '../../lib/observability/redact.js';

describe('redactHeaders', () => {
  it('hides the values of credential headers, whatever their case, and keeps the rest', () => {
    expect(
      redactHeaders({
        Authorization: 'Bearer abc',
        'X-Api-Key': 'k-1',
        Cookie: 'session=1',
        'x-fanout-signature': 't=1,v1=ab',
        'x-source': 'fanout',
        'content-type': 'application/json',
      }),
    ).toEqual({
      Authorization: REDACTED,
      'X-Api-Key': REDACTED,
      Cookie: REDACTED,
      'x-fanout-signature': REDACTED,
      'x-source': 'fanout',
      'content-type': 'application/json',
    });
  });

  it('hides any header whose name mentions secret, token, key or auth', () => {
    for (const name of [
      'x-client-secret',
      'X-Auth-Token',
      'api-key',
      'x-custom-auth',
      'x-partner-password',
    ]) {
      expect(isSecretHeader(name), name).toBe(true);
    }
    expect(isSecretHeader('x-request-id')).toBe(false);
  });

  it('hides a configured signing header with any name, and reads a Headers object', () => {
    const headers = new Headers({ 'x-partner-sig': 't=1,v1=ab', accept: '*/*' });
    expect(redactHeaders(headers, ['X-Partner-Sig'])).toEqual({ 'x-partner-sig': REDACTED, accept: '*/*' });
    expect(redactHeaders(undefined)).toEqual({});
  });
});

describe('redactUrl', () => {
  it('removes credentials and secret-looking query values', () => {
    expect(redactUrl('https://user:pw@example.com/hook?token=abc&page=2&sig=x')).toBe(
      `https://example.com/hook?token=${encodeURIComponent(REDACTED)}&page=2&sig=${encodeURIComponent(REDACTED)}`,
    );
  });

  it('leaves a clean URL and a non-URL unchanged', () => {
    expect(redactUrl('https://example.com/hook?page=2')).toBe('https://example.com/hook?page=2');
    expect(redactUrl('not a url')).toBe('not a url');
  });
});
