import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { PATTERN_MAX_CHARS } from '../routing/schema.js';
import type { ConfigProblem } from './errors.js';

/**
 * Bounds of a configuration, so a wrong file or a generated one cannot make `fanout validate`, the deploy or
 * local mode run out of memory or time (a 50 MB file, 835,731 targets). Each is far above what a real
 * configuration needs, and each message names its limit.
 */
export const CONFIG_LIMITS = {
  /** A fanout.yml of 60 targets with every option is about 60 KB: 1 MiB leaves room, and is read at once. */
  fileBytes: 1_048_576,
  /**
   * One CloudFormation stack holds 500 resources. The stack has 14 of its own (stream, dispatcher and its role,
   * log group and mapping, failure queue, idempotency table, claim-check bucket and policy, alarms, osls's
   * deployment bucket and policy) and each target at least 8 (worker function, log group and role, DLQ, async
   * invoke configuration, two alarms; a queue target 9): (500 - 14) / 8 = 60. The deploy counts exactly.
   */
  targets: 60,
  /** Destinations: an ARN is at most 2,048 characters (IAM's limit), and so is any URL a server takes for sure. */
  destinationChars: 2_048,
  /** http headers: 50 of them, names of 256 and values of 8 KiB (nginx's default buffer per header line). */
  headers: 50,
  headerNameChars: 256,
  headerValueChars: 8_192,
  /** A filter or a transform, as JSON (lib/routing/schema.ts): Lambda's own filter patterns stop at 4,096. */
  patternChars: PATTERN_MAX_CHARS,
} as const;

const MiB = (bytes: number): string => `${(bytes / 1_048_576).toFixed(bytes % 1_048_576 === 0 ? 0 : 1)} MiB`;

/** The file-size problem of a text or file of `bytes` bytes (undefined: within the limit). */
export function fileSizeProblem(bytes: number, exact = true): ConfigProblem | undefined {
  if (bytes <= CONFIG_LIMITS.fileBytes) return undefined;
  const size = exact ? `${bytes.toLocaleString('en-US')} bytes` : `more than ${MiB(CONFIG_LIMITS.fileBytes)}`;
  return {
    path: '',
    message: `the file is ${size}; a configuration may be at most ${MiB(CONFIG_LIMITS.fileBytes)} (${CONFIG_LIMITS.fileBytes.toLocaleString('en-US')} bytes): is this the right file?`,
  };
}

/**
 * Reads a configuration file, never more than the limit and a byte: a file above it is refused by its size
 * (fstat) before any read, and a device or a pipe that never ends by what was read.
 */
export function readBounded(path: string): { text: string } | { problem: ConfigProblem } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tooLarge = fileSizeProblem(size);
    if (tooLarge) return { problem: tooLarge };
    const buffer = Buffer.alloc(CONFIG_LIMITS.fileBytes + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    // A device or a pipe (fstat says 0 bytes): only what was read tells.
    const overflow = fileSizeProblem(length, false);
    return overflow ? { problem: overflow } : { text: buffer.toString('utf8', 0, length) };
  } finally {
    closeSync(fd);
  }
}

/**
 * The target count, checked on the raw document before the schema walks every target (835,731 targets took
 * 58 s and 4 GB to validate one by one).
 */
export function targetCountProblem(input: unknown): ConfigProblem | undefined {
  const targets = (input as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(targets)) return undefined;
  const discovered = (input as { discover?: unknown }).discover ? 1 : 0;
  const count = targets.length + discovered;
  if (count <= CONFIG_LIMITS.targets) return undefined;
  return {
    path: 'targets',
    message: `lists ${count.toLocaleString('en-US')} targets${discovered ? ' (with the discovered one)' : ''}; a configuration may have at most ${CONFIG_LIMITS.targets}: one CloudFormation stack holds 500 resources and each target needs at least 8; split the targets over two services`,
  };
}
