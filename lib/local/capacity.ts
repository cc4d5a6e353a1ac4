/**
 * How many targets local mode can run on this machine. Each enabled target is a worker function, and each of
 * its containers is a Node.js process: the first record starts one per target at once (a cold start of
 * ~0.6 s of CPU to load the 2-3 MB bundle), and a busy target adds one per unit of concurrency. One record once
 * started 110 processes and 7 GB with 200 targets on a 2-core machine, and the machine stopped answering. At the
 * limit this gives there (50 targets, 2 cores, 24 GB), one record took 56 processes and 4.6 GB, and reached all 50
 * destinations in 40 s, while other work shared the machine.
 */
import { availableParallelism, totalmem } from 'node:os';
import type { FanoutConfig } from '../config/schema.js';
import { LocalCapacityError } from './errors.js';

/** Resident memory of one worker container (a bundled worker after its first invocations, measured: 88-100 MB). */
export const CONTAINER_MEMORY_MB = 100;
/** kinesalite, fauxqs, dynalite, esbuild and `fanout local` itself (measured: ~550 MB together). */
const BASE_MEMORY_MB = 600;
/** Share of the machine's memory local mode may plan to use: the rest is the developer's. */
const MEMORY_SHARE = 0.5;
/** Cold starts one core absorbs when every target's first container starts at once (~15 s of them). */
export const TARGETS_PER_CORE = 25;

/** The machine as the limit sees it. */
export interface Machine {
  cores: number;
  memoryMb: number;
}

export function thisMachine(): Machine {
  return { cores: availableParallelism(), memoryMb: Math.floor(totalmem() / 1024 / 1024) };
}

/** The limit, and what bounds it. */
export interface TargetLimit {
  limit: number;
  byMemory: number;
  byCores: number;
}

/** At most one worker container per target in half the machine's memory, and {@link TARGETS_PER_CORE} a core. */
export function localTargetLimit(machine: Machine): TargetLimit {
  const byMemory = Math.max(
    1,
    Math.floor((machine.memoryMb * MEMORY_SHARE - BASE_MEMORY_MB) / CONTAINER_MEMORY_MB),
  );
  const byCores = Math.max(1, machine.cores * TARGETS_PER_CORE);
  return { limit: Math.min(byMemory, byCores), byMemory, byCores };
}

/** Target types local mode runs (the others have no emulator and are shown as off). */
const EMULATED = new Set(['kinesis', 'sqs', 'sns', 'http']);

/** The worker functions local mode would run for `config`: one per enabled target of an emulated type. */
export function localWorkerCount(config: FanoutConfig): number {
  return config.targets.filter((t) => t.enabled && EMULATED.has(t.type)).length;
}

/** Refuses, naming the limit and why, a configuration with more workers than this machine can run. */
export function checkLocalCapacity(config: FanoutConfig, machine: Machine = thisMachine()): void {
  const workers = localWorkerCount(config);
  const { limit, byMemory, byCores } = localTargetLimit(machine);
  if (workers <= limit) return;
  throw new LocalCapacityError(
    `local mode can run at most ${limit} targets on this machine and the configuration has ${workers} to run: ` +
      `each target is a worker whose containers are processes of ~${CONTAINER_MEMORY_MB} MB, and the first record starts one per target at once ` +
      `(${machine.cores} cores x ${TARGETS_PER_CORE} = ${byCores}; ${(machine.memoryMb / 1024).toFixed(1)} GB of memory, half of it for local mode, ${byMemory}). ` +
      'Set `enabled: false` on the targets you do not need locally, or try them in smaller configurations.',
  );
}
