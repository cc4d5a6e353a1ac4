/**
 * Redaction of secrets before anything reaches a log line, an error message or the CLI's output: header values
 * of headers that usually carry credentials, and credentials or tokens in URLs. Pure: no I/O, no Powertools, so
 * the config parser, the adapters and the CLI can all use it.
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/** Headers that carry credentials by definition, whatever their value looks like. */
export const SECRET_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'cookie',
  'set-cookie',
  'x-fanout-signature',
]);

// Any name that mentions one of these is treated as a secret: `x-auth-token`, `api-key`, `x-client-secret`...
const SECRET_NAME_PART = /secret|token|key|auth|passw|signature|cookie|credential/i;

/**
 * True when a header's value must not be logged: one of {@link SECRET_HEADERS}, one of `extra` (e.g. a target's
 * configured signing header), or a name containing secret, token, key, auth, password, signature or cookie.
 */
export function isSecretHeader(name: string, extra: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return (
    SECRET_HEADERS.includes(lower) ||
    extra.some((e) => e.toLowerCase() === lower) ||
    SECRET_NAME_PART.test(lower)
  );
}

/**
 * A copy of `headers` whose secret values are replaced by {@link REDACTED}; names are kept, so a log still
 * shows which headers were set.
 *
 * @example
 * redactHeaders({ authorization: 'Bearer abc', 'x-source': 'fanout' });
 * // { authorization: '[redacted]', 'x-source': 'fanout' }
 */
export function redactHeaders(
  headers: Readonly<Record<string, string>> | Headers | undefined,
  extra: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [name, value] of entries) out[name] = isSecretHeader(name, extra) ? REDACTED : value;
  return out;
}

/**
 * A URL for logs: user and password removed, and the values of query parameters with secret-looking names
 * (`?token=`, `?api_key=`, `?sig=` ...) replaced. Text that is not a URL comes back unchanged.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  let changed = false;
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
    changed = true;
  }
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_NAME_PART.test(name) || /^(sig|code|pass|pwd)$/i.test(name)) {
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? url.toString() : text;
}
