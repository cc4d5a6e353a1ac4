import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { startServerProcess, stopProcess } from '../../lib/local/server-process.js';

/** Node flags that load TypeScript sources (the bench's own programs run as .ts, like the emulators). */
export const TSX = ['--import', 'tsx'];

/**
 * Starts a long-running child program that prints `{"port":N}` as its first line once it listens, as local mode
 * starts its emulators (lib/local/server-process.ts). Its stdin is a pipe: the program exits when the pipe
 * closes, so a crashed parent leaves nothing behind.
 */
export async function startServerChild(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 20_000,
): Promise<{ child: ChildProcess; port: number }> {
  const { child, ready } = await startServerProcess(args, {
    label: args.join(' '),
    env,
    startTimeoutMs: timeoutMs,
  });
  return { child, port: ready.port };
}

export function stopChild(child: ChildProcess): Promise<void> {
  return stopProcess(child, { graceMs: 3_000, closeStdin: true });
}

/**
 * Runs a child program to completion and parses the JSON object on the last line of its stdout (its result).
 * A non-zero exit or a missing result rejects with the program's stderr.
 */
export async function runJsonChild<T>(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 600_000,
): Promise<T> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  const last = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) {
    throw new Error(
      `${args.join(' ')} failed (${signal ?? `exit ${code}`}${signal === 'SIGKILL' ? `, killed after ${timeoutMs} ms` : ''}): ${stderr || stdout.slice(-2_000)}`,
    );
  }
  return JSON.parse(last) as T;
}
