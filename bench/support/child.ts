import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** Node flags that load TypeScript sources (the bench's own programs run as .ts, like the emulators). */
export const TSX = ['--import', 'tsx'];

/**
 * Starts a long-running child program that prints `{"port":N}` as its first line once it listens.
 * Its stdin is a pipe: the program exits when the pipe closes, so a crashed parent leaves nothing behind.
 */
export async function startServerChild(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 20_000,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve((JSON.parse(buffered.slice(0, newline)) as { port: number }).port);
      } catch {
        reject(new Error(`${args.join(' ')} printed "${buffered.slice(0, newline)}" instead of its port`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with code ${code} before it was ready: ${stderr}`));
    });
  });
  return { child, port };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
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
