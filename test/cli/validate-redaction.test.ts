/** `fanout validate` never prints the value of a header that holds a secret, whether the file is valid or not. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main.js';
import { tempDir } from '../support/temp-dir.js';

const SECRET = 'sk_live_9f8e7d6c5b4a';
const dir = tempDir('fanout-redaction-');

async function validate(headers: string): Promise<{ code: number; text: string }> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(
    path,
    `source: {stream: input}\ntargets:\n  - name: hook\n    type: http\n    destination: https://x.example/h\n    http:\n      headers:\n${headers}\n`,
  );
  const lines: string[] = [];
  const code = await main(['node', 'fanout', 'validate', path], {
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
  });
  return { code, text: lines.join('\n') };
}

describe('fanout validate and secret headers', () => {
  it('prints no header value of a valid file', async () => {
    const { code, text } = await validate(
      `        authorization: "Bearer ${SECRET}"\n        x-api-key: ${SECRET}`,
    );
    expect(code).toBe(0);
    expect(text).toContain('hook (http via invoke)');
    expect(text).not.toContain(SECRET);
  });

  it.each([
    ['authorization', `"Bearer ${SECRET}\\r\\nInjected: 1"`],
    ['x-api-key', '12345'],
    ['x-partner-token', `"${SECRET}\\u0000"`],
  ])('names a bad %s header without its value', async (name, value) => {
    const { code, text } = await validate(`        ${name}: ${value}`);
    expect(code).toBe(1);
    expect(text).toContain(`targets[0].http.headers.${name}: "[redacted]"`);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('12345');
  });
});
