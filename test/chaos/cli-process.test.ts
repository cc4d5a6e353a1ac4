/**
 * `npm run chaos` as a process: SIGTERM while records go through stops every process the run started and exits
 * 143, as `fanout local` does; so does its parent going away (npm passes SIGTERM only to the shell that runs the
 * script, which ends without passing it on).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { descendantsOf, isAlive } from '../../harness/support/listeners.js';
import { waitFor } from '../local/support.js';
import { spawnNode } from '../support/child-process.js';
import { tempDir } from '../support/temp-dir.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = ['--import', 'tsx', 'harness/chaos/cli.ts', '--records', '200'];
/** Printed once the pipeline runs and records go in: a run of 200 records then has minutes to go. */
const RECORDS_GOING_IN = /chaos: (putting|waiting)/;

const children: ChildProcess[] = [];
const trees: number[][] = [];
afterAll(() => {
  // Only when a test failed and left them running.
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const pid of trees.flat()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

/** The processes of a run: the chaos process and everything under it, kept for afterAll. */
function treeOf(pid: number): number[] {
  const tree = [pid, ...descendantsOf(pid)];
  trees.push(tree);
  return tree;
}

describe('npm run chaos as a process', () => {
  it('stops every process it started and exits 143 on SIGTERM while records go through', async () => {
    const { child, output, exited } = spawnNode(CLI, { cwd: ROOT });
    children.push(child);
    await waitFor(async () => RECORDS_GOING_IN.test(output()), 120_000, 'the run to put records');
    const tree = treeOf(child.pid as number);
    // The emulators (kinesalite, fauxqs, dynalite) and the Lambda containers at least.
    expect(tree.length).toBeGreaterThanOrEqual(4);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    await waitFor(async () => tree.every((pid) => !isAlive(pid)), 30_000, 'every process to end');
    expect(output()).toContain('chaos: stopping (SIGTERM)');
    expect(output()).toContain('chaos: stopped: no process left running.');
    expect(output()).not.toContain('OK: nothing missing');
  }, 240_000);

  it('stops every process it started when its parent goes away (npm killed: it does not pass SIGTERM on)', async () => {
    const log = join(tempDir('fanout-chaos-process-'), 'chaos.log');
    // A shell stands for npm: it runs the chaos run as its child, and is killed without a chance to pass anything on.
    const args = CLI.map((a) => `"${a}"`).join(' ');
    const shell = spawn('sh', ['-c', `"${process.execPath}" ${args} >"${log}" 2>&1 & echo $!; wait`], {
      cwd: ROOT,
    });
    children.push(shell);
    let pid = 0;
    shell.stdout?.on('data', (chunk: Buffer) => {
      pid ||= Number(chunk.toString().trim());
    });
    const text = (): string => (existsSync(log) ? readFileSync(log, 'utf8') : '');
    await waitFor(async () => RECORDS_GOING_IN.test(text()), 120_000, 'the run to put records');
    const tree = treeOf(pid);
    expect(tree.length).toBeGreaterThanOrEqual(4);
    shell.kill('SIGKILL');
    await waitFor(async () => tree.every((p) => !isAlive(p)), 30_000, 'every process to end');
    expect(text()).toContain('chaos: stopping (its parent process went away)');
    expect(text()).toContain('chaos: stopped: no process left running.');
  }, 240_000);
});
