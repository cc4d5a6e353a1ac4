import { type ChildProcess, spawn } from 'node:child_process';

/** A child process whose stdout and stderr are gathered as they come. */
export interface CapturedChild {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output: () => string;
  /** Its exit code (null: ended by a signal). */
  exited: Promise<number | null>;
}

/** Starts `node <args>` in `cwd`, gathering its output (the process tests of `fanout local` and chaos runs). */
export function spawnNode(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): CapturedChild {
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const gather = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout?.on('data', gather);
  child.stderr?.on('data', gather);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}
