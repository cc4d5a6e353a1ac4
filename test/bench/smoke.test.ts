/**
 * `npm run bench` in its cheapest form, so that a section that stops working fails the suite (three once stayed
 * broken unnoticed: nothing else runs the bench). The sections that start no local mode, with `--quick`, as a
 * child process: it exits 0, prints each section's table (its title and column heads) and no failed section, and
 * every process it started is gone once it has exited. The figures are not checked: speed targets live in the
 * bench's own tables (docs/benchmarks.md), not in tests.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { descendantsOf, isAlive } from '../../harness/support/listeners.js';
import { waitFor } from '../local/support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Each section run here, with its table's title and one of its column heads. */
const TABLES: Record<string, [title: string, head: string]> = {
  dispatcher: ['1. Dispatcher cost per batch', 'calls/target / bound'],
  baseline: ['2. Baseline: naive fan-out vs ours', 'API calls/batch'],
  'cold-start': ['5. Cold start: esbuild bundles as deployed', 'import median ms'],
  idempotency: ['6. Idempotency cost: the ledger on the real worker path', 'write units/record'],
  'sdk-calls': ['SDK calls: CPU time of the worker process per warm call', 'CPU/call median (µs)'],
};

const seen = new Set<number>();
afterAll(() => {
  // Only when the bench left them running (the test has failed then).
  for (const pid of seen) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

describe('npm run bench -- --quick (the sections without local mode)', () => {
  it('exits 0, prints every table and no failed section, and leaves no process running', async () => {
    const sections = Object.keys(TABLES).join(',');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--quick', '--only', sections],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-20_000);
    });
    // Every process it starts (the stub, dynalite, the emulators, each measured case), looked for while it runs.
    const watch = setInterval(() => {
      for (const pid of descendantsOf(child.pid as number)) seen.add(pid);
    }, 200);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearInterval(watch);

    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(stderr).not.toMatch(/section \S+ failed/);
    expect(stdout).toMatch(/^finished in \d+ s$/m);
    for (const [name, [title, head]] of Object.entries(TABLES)) {
      expect(stdout, `${name}: its table's title`).toContain(`\n${title}`);
      expect(stdout, `${name}: its table's column heads`).toContain(head);
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);
    await waitFor(async () => [...seen].every((pid) => !isAlive(pid)), 20_000, 'every bench process to end');
  }, 240_000);
});
