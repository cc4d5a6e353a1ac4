import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandIo } from '../../lib/cli/validate.js';
import { tempDir } from '../support/temp-dir.js';

/** Captures what a command prints. */
export function captureIo(): { io: CommandIo; out: string[]; err: string[]; text: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    out,
    err,
    text: () => [...out, ...err].join('\n'),
  };
}

/** A fresh folder holding `files`; returns its path. */
export function folderWith(files: Record<string, string>): string {
  const dir = tempDir('fanout-cli-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A two-target configuration: an http target via invoke and an sqs target via queue, with comments. */
export const CONFIG_YML = `# operators' test config
source:
  stream: input # the source
targets:
  # the webhook
  - name: webhook
    type: http
    destination: https://example.com/hook
    concurrency: 2 # peak hours: 4
    retries: 0

  - name: audit
    type: sqs
    destination: audit
    via: queue # batched
    retries: 1
`;
