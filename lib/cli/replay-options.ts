import type { SessionOptions } from './session.js';

/** `fanout replay`'s options, as commander parses them (shared by replay.ts, replay-setup.ts, replay-run.ts). */
export interface ReplayOptions extends SessionOptions {
  config?: string;
  source?: boolean;
  dryRun?: boolean;
  max?: number;
  rate?: number;
  filter?: RegExp;
  olderThan?: number;
  newerThan?: number;
  wait?: boolean;
  /** `true`: the default quarantine queue (`<dlq>-quarantine`). */
  quarantine?: string | boolean;
  concurrency?: number;
  visibilityTimeout?: number;
  yes?: boolean;
  json?: boolean;
}
