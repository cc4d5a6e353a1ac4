import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where `fanout local` writes its endpoints; `produce`, `tail` and `status` read it to detect local mode. */
export const LOCAL_ENV_FILE = '.fanout/local.env';

/** Writes `KEY=value` lines (a dotenv file the AWS CLI user can `source`). */
export function writeLocalEnv(vars: Record<string, string>, file = LOCAL_ENV_FILE): string {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  const lines = Object.entries(vars).map(([k, v]) => `export ${k}=${v}`);
  writeFileSync(
    path,
    `# Written by \`fanout local\`; \`source\` it to point the AWS CLI and SDKs at local mode.\n${lines.join('\n')}\n`,
  );
  return path;
}

/** Reads the file `fanout local` wrote; undefined when there is none. */
export function readLocalEnv(file = LOCAL_ENV_FILE): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch {
    return undefined;
  }
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1]) vars[match[1]] = match[2] ?? '';
  }
  return vars;
}
