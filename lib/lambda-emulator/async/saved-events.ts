import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LocalRuntimeError } from '../errors.js';
import type { SavedAsyncEvent } from './event-queue.js';

/** Async events not finished at a stop, by function name. */
export type SavedAsyncEvents = Record<string, SavedAsyncEvent[]>;

const isEvent = (value: unknown): value is SavedAsyncEvent => {
  const e = value as Partial<SavedAsyncEvent> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.requestId === 'string' &&
    typeof e.payload === 'string' &&
    typeof e.receivedAt === 'number' &&
    typeof e.attempts === 'number'
  );
};

/**
 * The events saved in `file` at the last stop (none when there is no file). A file that cannot be read refuses
 * the start: the invocations it holds must not be dropped by starting over it.
 */
export function readSavedEvents(file: string): SavedAsyncEvents {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new LocalRuntimeError(
      `cannot read the saved async invocations in ${file}: ${(error as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {}
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((events) => Array.isArray(events) && events.every(isEvent));
  if (!valid) {
    throw new LocalRuntimeError(
      `${file} is not a JSON object of saved async invocations by function: move it away to start without them`,
    );
  }
  return value as SavedAsyncEvents;
}

/** Writes the events through a temporary file and a rename; no file at all when there is nothing to keep. */
export function writeSavedEvents(file: string, events: SavedAsyncEvents): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(events)}\n`);
  renameSync(temporary, file);
}
