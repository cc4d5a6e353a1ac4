import { fileURLToPath } from 'node:url';
import { type ServerReady, startServerProcess, stopProcess } from './server-process.js';

export const EMULATOR_KINDS = ['kinesis', 'sqs', 'dynamodb'] as const;
export type EmulatorKind = (typeof EMULATOR_KINDS)[number];

/** The program behind each kind, as messages name it. */
export const EMULATOR_PROGRAMS: Record<EmulatorKind, string> = {
  kinesis: 'kinesalite',
  sqs: 'fauxqs',
  dynamodb: 'dynalite',
};

/** How an emulator process ended on its own (not through `stop()`). */
export interface EmulatorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running emulator process. */
export interface Emulator {
  kind: EmulatorKind;
  readonly pid: number;
  port: number;
  endpoint: string;
  /** What it restored from its data folder at start (fauxqs: messages and objects). */
  restored?: { messages: number; objects: number };
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  port?: number;
  dataDir?: string;
  startTimeoutMs?: number;
  /** Called when the process ends without `stop()` (killed, crashed). */
  onExit?: (exit: EmulatorExit) => void;
}

const SERVER = fileURLToPath(new URL('./emulator-server.ts', import.meta.url));
// Resolved from here, not from the working directory: `fanout local` runs in any folder.
const TSX = import.meta.resolve('tsx');

interface Ready extends ServerReady {
  restored?: { messages: number; objects: number };
}

/**
 * Starts an emulator (kinesalite, fauxqs, dynalite) in a child process on 127.0.0.1:`port` (0: a free port,
 * chosen by the OS, so parallel test files never collide). Resolves once it listens. The child has a process
 * group of its own, so a Ctrl-C in the terminal reaches only `fanout local`, which stops it in order; it exits
 * by itself when its stdin closes (this process gone).
 */
export async function startEmulator(kind: EmulatorKind, options: EmulatorOptions = {}): Promise<Emulator> {
  const args = ['--import', TSX, SERVER, kind, String(options.port ?? 0)];
  if (options.dataDir) args.push(options.dataDir);
  const { child, ready } = await startServerProcess<Ready>(args, {
    label: `${kind} emulator`,
    detached: true,
    ...(options.startTimeoutMs ? { startTimeoutMs: options.startTimeoutMs } : {}),
  });
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) options.onExit?.({ code, signal });
  });
  return {
    kind,
    pid: child.pid ?? -1,
    port: ready.port,
    endpoint: `http://127.0.0.1:${ready.port}`,
    ...(ready.restored ? { restored: ready.restored } : {}),
    stop: () => {
      stopping = true;
      // fauxqs writes its snapshot (--data-dir) before it exits: time for a large one.
      return stopProcess(child, { graceMs: 10_000 });
    },
  };
}
