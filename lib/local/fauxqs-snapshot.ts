import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LocalStateError } from './errors.js';

/** A queue's messages as fauxqs stores them (ids, bodies, attributes, receive counts, FIFO group ids). */
export interface SnapshotQueue {
  messages: Array<Record<string, unknown>>;
}

/** What `fanout local --data-dir` keeps of fauxqs between runs. */
export interface FauxqsSnapshot {
  version: 1;
  savedAt: string;
  queues: Record<string, SnapshotQueue>;
  buckets: Record<
    string,
    Array<{ key: string; body: string; contentType: string; metadata: Record<string, string> }>
  >;
}

/**
 * The snapshot in `file`, or undefined when there is none. A file that cannot be read refuses the start: the
 * messages it holds must not be dropped by starting over it.
 */
export function readSnapshot(file: string): FauxqsSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalStateError(file, `cannot be read (${(error as Error).message})`, { cause: error });
  }
  let value: Partial<FauxqsSnapshot>;
  try {
    value = JSON.parse(text) as Partial<FauxqsSnapshot>;
  } catch (error) {
    throw new LocalStateError(file, `is not JSON (${(error as Error).message})`, { cause: error });
  }
  if (value.version !== 1 || typeof value.queues !== 'object' || typeof value.buckets !== 'object') {
    throw new LocalStateError(file, 'is not a snapshot of version 1 with "queues" and "buckets"');
  }
  return value as FauxqsSnapshot;
}

/** Writes the snapshot through a temporary file and a rename, so a crash mid-write leaves the previous one. */
export function writeSnapshot(file: string, snapshot: FauxqsSnapshot): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(snapshot));
  renameSync(temporary, file);
}
