/**
 * `fanout local` as a process, the way `npm start` runs it: everything it starts listens on 127.0.0.1 only; a
 * second start in the same folder refuses and leaves the first one's .fanout/local.env alone; SIGTERM, SIGHUP
 * and its parent going away each stop every process it started, and nothing is left in the temporary directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { descendantsOf, isAlive, listenersOf } from '../../harness/support/listeners.js';
import { waitFor } from '../local/support.js';
import { spawnNode } from '../support/child-process.js';
import { tempDir } from '../support/temp-dir.js';
import { folderWith } from './support.js';

const BIN = fileURLToPath(new URL('../../bin/fanout.js', import.meta.url));
const YML = `source:
  stream: input
  startingPosition: TRIM_HORIZON
targets:
  - name: output1
    type: kinesis
    destination: output1
  - name: webhook
    type: http
    destination: https://example.com/hook
`;

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** `fanout local` in `dir`, with its own temporary directory; resolves once it says it runs (or it exited). */
async function startLocal(dir: string, tmp: string): Promise<Running> {
  const running = spawnNode([BIN, 'local', '--no-demo', '--refresh', '0'], {
    cwd: dir,
    env: { ...process.env, TMPDIR: tmp },
  });
  children.push(running.child);
  let done = false;
  void running.exited.then(() => {
    done = true;
  });
  await waitFor(
    async () => done || running.output().includes('local mode is running'),
    90_000,
    'fanout local to start',
  );
  return running;
}

/** What `fanout local` leaves in the temporary directory: its own folders (tsx's cache is not its). */
const leftovers = (tmp: string): string[] =>
  readdirSync(tmp).filter((name) => /^fanout-|-worker-\d|^dispatcher-\d/.test(name));

async function produceOne(dir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'produce', '--count', '1'], { cwd: dir });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`produce exited ${code}`))));
  });
}

describe('fanout local as a process', () => {
  it('binds to 127.0.0.1 only, refuses a second start in its folder, and stops everything on SIGTERM', async () => {
    const dir = folderWith({ 'fanout.yml': YML });
    const tmp = tempDir('fanout-process-');
    const first = await startLocal(dir, tmp);
    const pid = first.child.pid as number;
    // One record: the dispatcher's and the workers' containers start too.
    await produceOne(dir);
    await waitFor(async () => descendantsOf(pid).length >= 6, 60_000, 'containers to start');
    const tree = [pid, ...descendantsOf(pid)];
    const listeners = listenersOf(tree);
    // Kinesis, SQS/SNS, DynamoDB, the Lambda API, the control endpoint, the http receiver.
    expect(listeners.length).toBeGreaterThanOrEqual(6);
    expect(listeners.filter((l) => l.address !== '127.0.0.1')).toEqual([]);

    const envFile = join(dir, '.fanout/local.env');
    const env = readFileSync(envFile, 'utf8');
    const second = await startLocal(dir, tmp);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      `local mode is already running in this folder (pid ${pid}; ports: Kinesis `,
    );
    expect(second.output()).toContain(`kill ${pid}`);
    expect(readFileSync(envFile, 'utf8')).toBe(env);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(143);
    await waitFor(async () => tree.every((p) => !isAlive(p)), 20_000, 'every process to end');
    expect(first.output()).toContain('stopping (SIGTERM)');
    expect(existsSync(envFile)).toBe(false);
    expect(existsSync(join(dir, '.fanout/local.lock'))).toBe(false);
    expect(leftovers(tmp)).toEqual([]);
  }, 240_000);

  it('stops everything on SIGHUP (a closed terminal)', async () => {
    const dir = folderWith({ 'fanout.yml': YML });
    const tmp = tempDir('fanout-process-');
    const running = await startLocal(dir, tmp);
    const tree = [running.child.pid as number, ...descendantsOf(running.child.pid as number)];
    expect(tree.length).toBeGreaterThanOrEqual(4);
    running.child.kill('SIGHUP');
    expect(await running.exited).toBe(129);
    await waitFor(async () => tree.every((p) => !isAlive(p)), 20_000, 'every process to end');
    expect(existsSync(join(dir, '.fanout/local.env'))).toBe(false);
    expect(leftovers(tmp)).toEqual([]);
  }, 180_000);

  it('stops everything when its parent goes away (npm killed: it does not pass SIGTERM on)', async () => {
    const dir = folderWith({ 'fanout.yml': YML });
    const tmp = tempDir('fanout-process-');
    const log = join(dir, 'local.log');
    // A shell stands for npm: it runs fanout local as its child, and is killed without a chance to pass anything on.
    const shell = spawn(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" local --no-demo --refresh 0 >"${log}" 2>&1 & echo $!; wait`],
      { cwd: dir, env: { ...process.env, TMPDIR: tmp } },
    );
    children.push(shell);
    let pid = 0;
    shell.stdout?.on('data', (chunk: Buffer) => {
      pid ||= Number(chunk.toString().trim());
    });
    const text = (): string => (existsSync(log) ? readFileSync(log, 'utf8') : '');
    await waitFor(async () => text().includes('local mode is running'), 90_000, 'fanout local to start');
    const tree = [pid, ...descendantsOf(pid)];
    expect(tree.length).toBeGreaterThanOrEqual(4);
    shell.kill('SIGKILL');
    await waitFor(async () => tree.every((p) => !isAlive(p)), 30_000, 'every process to end');
    expect(text()).toContain('stopping (its parent process went away)');
    expect(existsSync(join(dir, '.fanout/local.env'))).toBe(false);
    expect(leftovers(tmp)).toEqual([]);
  }, 180_000);
});
