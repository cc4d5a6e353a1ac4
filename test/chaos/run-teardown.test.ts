/**
 * A chaos run whose set-up fails after the local pipeline started stops what it started: the pipeline's
 * processes (emulators, Lambda containers), the fault proxies and the http destination (servers in this
 * process), and the store restart's data folder.
 */
import { readdirSync } from 'node:fs';
import { transform } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { runChaos } from '../../harness/chaos/run.js';
import { descendantsOf, isAlive, listenersOf } from '../../harness/support/listeners.js';
import { waitFor } from '../local/support.js';
import { tempDir } from '../support/temp-dir.js';

const SETUP_PHASE = "setting up the targets' queues and the fault injector";

const started: number[] = [];
afterAll(() => {
  // Only when the run left them running (the test has failed then): this file's processes end with it.
  for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

describe('chaos run set-up', () => {
  it('stops every process, server and folder it started when a step after the pipeline start fails', async () => {
    const tmp = tempDir('fanout-chaos-teardown-');
    const listening = (): number[] => listenersOf([process.pid]).map((l) => l.port);
    // esbuild's service process lives as long as this process, whoever bundles with it (the pipeline does):
    // started before the run, it is not one of the run's processes.
    await transform('');
    const before = { children: new Set(descendantsOf(process.pid)), ports: listening() };
    const tmpBefore = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    let runPorts: number[] = [];
    try {
      const run = runChaos({
        records: 10,
        targets: 1,
        faults: ['store-restart'],
        seed: 1,
        onPhase: (phase) => {
          if (phase !== SETUP_PHASE) return;
          started.push(...descendantsOf(process.pid).filter((pid) => !before.children.has(pid)));
          runPorts = listening().filter((port) => !before.ports.includes(port));
          throw new Error('injected set-up failure');
        },
      });
      await expect(run).rejects.toThrow('injected set-up failure');
    } finally {
      if (tmpBefore === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpBefore;
    }
    // The pipeline ran when the step failed: its three emulators at least, and the run's own servers.
    expect(started.length).toBeGreaterThanOrEqual(3);
    expect(runPorts.length).toBeGreaterThanOrEqual(3);
    await waitFor(
      async () => started.every((pid) => !isAlive(pid)),
      30_000,
      "the pipeline's processes to end",
    );
    expect(listening().filter((port) => runPorts.includes(port))).toEqual([]);
    expect(readdirSync(tmp).filter((name) => name.startsWith('fanout-chaos-'))).toEqual([]);
  }, 180_000);
});
