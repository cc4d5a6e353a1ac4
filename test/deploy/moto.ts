/**
 * moto's server mode (an AWS API emulator that deploys CloudFormation stacks), started on a free loopback port
 * for one test file and stopped by PID. Where python3 or moto is missing, {@link motoUnavailable} says so and
 * the deploy test is skipped with that reason.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export interface MotoServer {
  /** `http://127.0.0.1:<port>`: an IP, so S3 clients use path-style requests. */
  endpoint: string;
  pid: number;
  /** The server's last output, for a failure message. */
  log(): string;
  stop(): Promise<void>;
}

/** moto logs every request; a failure message needs only the end. */
const LOG_TAIL = 20_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** Why moto cannot run on this machine, or undefined when it can. */
export function motoUnavailable(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import moto.server, cfnlint; print(moto.__version__)'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (probe.error) return `python3 cannot be run (${probe.error.message})`;
  if (probe.status !== 0) {
    const last = probe.stderr.trim().split('\n').pop();
    return `python3 has no moto server with cfn-lint (pip install "moto[server]" cfn-lint): ${last}`;
  }
  return undefined;
}

/** Why cfn-lint cannot be run, or undefined when it can. */
export function cfnLintUnavailable(): string | undefined {
  const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return `cfn-lint cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return `cfn-lint --version failed: ${probe.stderr.trim()}`;
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts `python3 -m moto.server` on a free port of 127.0.0.1 and resolves once it answers. Another process may
 * take the port between the probe and moto's bind: moto then exits, and the next port is tried (3 in all).
 */
export async function startMoto(cwd: string): Promise<MotoServer> {
  let lastLog = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const keep = (chunk: Buffer): void => {
      log = (log + chunk.toString('utf8')).slice(-LOG_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const endpoint = `http://127.0.0.1:${port}`;
    if (await answers(endpoint, child)) {
      return { endpoint, pid: child.pid as number, log: () => log, stop: () => stop(child) };
    }
    await stop(child);
    lastLog = log;
  }
  throw new Error(`moto did not start on 127.0.0.1 in 3 attempts; its last output:\n${lastLog}`);
}

/** Polls moto's own API until it answers 200, the process exits, or the start timeout passes. */
async function answers(endpoint: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** SIGTERM by PID, then SIGKILL if it has not exited within 10 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
