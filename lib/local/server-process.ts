import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** The first line a server process prints once it listens: its port, and whatever else it reports. */
export interface ServerReady {
  port: number;
}

export interface ServerProcessOptions {
  /** What the process is, as messages name it (`kinesis emulator`). */
  label: string;
  env?: NodeJS.ProcessEnv;
  /**
   * A process group of its own, so a Ctrl-C in the terminal reaches only the parent, which stops the process in
   * order.
   */
  detached?: boolean;
  /** Time to print the ready line (default 20 s: a cold TypeScript loader on a loaded machine). */
  startTimeoutMs?: number;
}

/**
 * Starts `node <args>`: a server that prints one JSON line (`{"port":N,...}`) once it listens on 127.0.0.1, and
 * exits when its stdin (a pipe) closes, so a parent that dies leaves nothing behind. Resolves with that line;
 * rejects, with the end of its stderr, when it exits first, prints something else or takes too long.
 */
export async function startServerProcess<R extends ServerReady>(
  args: readonly string[],
  options: ServerProcessOptions,
): Promise<{ child: ChildProcess; ready: R }> {
  const { label } = options;
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.env ? { env: options.env } : {}),
    ...(options.detached ? { detached: true } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not start within ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as R);
        } catch {
          reject(new Error(`${label} printed "${line}" instead of its port`));
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with code ${code} before it was ready: ${stderr.trim()}`));
    });
  });
  return { child, ready };
}

/**
 * Stops a child process: SIGTERM (after closing its stdin, with `closeStdin`), then SIGKILL if it has not exited
 * after `graceMs`. Resolves once it has exited.
 */
export async function stopProcess(
  child: ChildProcess,
  options: { graceMs: number; closeStdin?: boolean },
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (options.closeStdin) child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.graceMs);
  await exited;
  clearTimeout(timer);
}
