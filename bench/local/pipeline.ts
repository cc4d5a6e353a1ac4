import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startHarnessPipeline } from '../../harness/support/local-pipeline.js';
import type { FanoutConfig } from '../../lib/config/schema.js';
import type { InvocationEvent, MappingBatchEvent } from '../../lib/lambda-emulator/events.js';
import type { LocalPipeline } from '../../lib/local/pipeline.js';
import { summarize } from '../support/stats.js';
import { containerPids } from './cpu.js';

const PROFILE_PRELOAD = fileURLToPath(new URL('./profile-preload.mjs', import.meta.url));

/** One finished invocation, stamped with when it ended. */
export interface Invocation extends InvocationEvent {
  endedAt: number;
}

/** Invocations of one function that ended in a window, warm ones only (a cold start measures module loading). */
export interface InvocationSummary {
  invocations: number;
  coldStarts: number;
  median: number;
  p90: number;
  p99: number;
  /** Sum of warm durations over the window: 100 % = one invocation running the whole time. */
  busyPercent: number;
  /** Mean records per batch its event source mapping delivered in the window (undefined: async invokes). */
  recordsPerBatch?: number;
}

/** A local pipeline for a benchmark, with every invocation recorded. */
export interface BenchPipeline {
  pipeline: LocalPipeline;
  invocations: Invocation[];
  batches: Array<MappingBatchEvent & { endedAt: number }>;
  summarize(functionName: string, from: number, to: number): InvocationSummary;
  stop(): Promise<void>;
}

/**
 * Starts local mode (emulators, the local Lambda runtime with the bundled handlers, the HTTP receiver) for a
 * section, as every harness does (harness/support/local-pipeline.ts: the sections after it see the environment
 * they would have seen alone). With `cpuProfDir`, every emulator and container writes a CPU
 * profile there (bench/local/profile-preload.mjs); this process itself is profiled with `node --cpu-prof`.
 */
export async function startBenchPipeline(
  config: FanoutConfig,
  options: { cpuProfDir?: string } = {},
): Promise<BenchPipeline> {
  const profiling: Record<string, string> = {};
  if (options.cpuProfDir) {
    mkdirSync(options.cpuProfDir, { recursive: true });
    Object.assign(profiling, {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PROFILE_PRELOAD}`.trim(),
      FANOUT_BENCH_PROFILE_DIR: options.cpuProfDir,
    });
  }
  // The emulators inherit this process's environment while local mode starts; the containers get theirs from
  // functionEnv.
  const pipeline = await startHarnessPipeline({
    config,
    keepBodies: true,
    functionEnv: profiling,
    ...(options.cpuProfDir ? { startEnv: profiling } : {}),
  });
  const invocations: Invocation[] = [];
  const batches: BenchPipeline['batches'] = [];
  pipeline.runtime.events.on('invocation', (e) => invocations.push({ ...e, endedAt: Date.now() }));
  pipeline.runtime.events.on('mapping-batch', (e) => batches.push({ ...e, endedAt: Date.now() }));
  return {
    pipeline,
    invocations,
    batches,
    summarize: (functionName, from, to) => {
      const all = invocations.filter(
        (e) => e.functionName === functionName && e.endedAt >= from && e.endedAt <= to,
      );
      const warm = all.filter((e) => !e.coldStart).map((e) => e.durationMs);
      const s = summarize(warm);
      const mapped = batches.filter(
        (b) => b.functionName === functionName && b.endedAt >= from && b.endedAt <= to,
      );
      return {
        ...(mapped.length > 0
          ? { recordsPerBatch: mapped.reduce((sum, b) => sum + b.records, 0) / mapped.length }
          : {}),
        invocations: all.length,
        coldStarts: all.length - warm.length,
        median: s.median,
        p90: s.p90,
        p99: s.p99,
        busyPercent: (100 * warm.reduce((a, b) => a + b, 0)) / Math.max(1, to - from),
      };
    },
    stop: async () => {
      if (options.cpuProfDir) {
        // Containers are killed when the runtime stops: ask them for their profiles first.
        for (const pid of containerPids()) process.kill(pid, 'SIGUSR2');
        await new Promise((r) => setTimeout(r, 2_000));
      }
      await pipeline.stop();
    },
  };
}
