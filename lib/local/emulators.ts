import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

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

interface Ready {
  port: number;
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
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind} emulator did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as Ready);
        } catch {
          reject(new Error(`${kind} emulator printed "${line}" instead of its port`));
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} emulator exited with code ${code} before it was ready: ${stderr.trim()}`));
    });
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
      return stopChild(child);
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // fauxqs writes its snapshot (--data-dir) before it exits: time for a large one.
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
