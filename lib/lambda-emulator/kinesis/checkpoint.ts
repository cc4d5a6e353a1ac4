import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LocalRuntimeError } from '../errors.js';
import type { StreamRecord } from './event.js';

/**
 * Where a shard's mapping stands, as Lambda's checkpoint: the last sequence number such that it and every record
 * before it were settled (delivered, or discarded to the on-failure destination). With ParallelizationFactor > 1
 * the lanes settle out of order; the checkpoint only moves over a record once all before it are settled too, so
 * a restart from it delivers again what was in flight, and skips nothing.
 */
export class ShardProgress {
  #read: string[] = [];
  #head = 0;
  readonly #settled = new Set<string>();
  #position: string | undefined;

  constructor(position?: string) {
    this.#position = position;
  }

  /** The checkpoint: the records up to it (included) are settled; undefined before any. */
  get position(): string | undefined {
    return this.#position;
  }

  /** Records read from the shard, in shard order. */
  read(records: readonly StreamRecord[]): void {
    for (const record of records) this.#read.push(record.sequenceNumber);
  }

  /** Records settled (in any order); returns true when the checkpoint moved. */
  settle(records: readonly StreamRecord[]): boolean {
    for (const record of records) this.#settled.add(record.sequenceNumber);
    const before = this.#head;
    while (this.#head < this.#read.length && this.#settled.has(this.#read[this.#head] as string)) {
      const sequence = this.#read[this.#head] as string;
      this.#settled.delete(sequence);
      this.#position = sequence;
      this.#head++;
    }
    if (this.#head > 10_000 && this.#head * 2 > this.#read.length) {
      this.#read = this.#read.slice(this.#head);
      this.#head = 0;
    }
    return this.#head !== before;
  }
}

/** The checkpoints of every mapping and shard, by `<function>/<stream>/<shard>`. */
export interface CheckpointStore {
  get(key: string): string | undefined;
  set(key: string, sequenceNumber: string): void;
  /** Shards with a checkpoint. */
  count(): number;
  /** Writes what changed now (a file store; nothing to do for others). */
  flush(): void;
}

/** Checkpoints kept in memory only (a runtime without a state folder). */
export function memoryCheckpoints(): CheckpointStore {
  const positions = new Map<string, string>();
  return {
    get: (key) => positions.get(key),
    set: (key, sequence) => void positions.set(key, sequence),
    count: () => positions.size,
    flush: () => {},
  };
}

/**
 * Checkpoints in a JSON file, written at most every `intervalMs` while they move and at `flush()` (the runtime's
 * stop). A file that cannot be read refuses the start rather than resume from the wrong place.
 */
export function fileCheckpoints(file: string, intervalMs = 500): CheckpointStore {
  const positions = new Map<string, string>(Object.entries(readCheckpoints(file)));
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(Object.fromEntries(positions), null, 2)}\n`);
    renameSync(temporary, file);
  };
  return {
    get: (key) => positions.get(key),
    set: (key, sequence) => {
      positions.set(key, sequence);
      dirty = true;
      timer ??= setTimeout(flush, intervalMs);
      timer.unref?.();
    },
    count: () => positions.size,
    flush,
  };
}

function readCheckpoints(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new LocalRuntimeError(`cannot read the checkpoints in ${file}: ${(error as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      if (Object.values(value).every((v) => typeof v === 'string')) return value as Record<string, string>;
    }
  } catch {}
  throw new LocalRuntimeError(
    `${file} is not a JSON object of sequence numbers: move it away to start the mappings from their starting position`,
  );
}
