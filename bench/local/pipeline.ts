import type { FanoutConfig } from '../../lib/config/schema.js';
import { type LocalPipeline, startLocalPipeline } from '../../lib/local/pipeline.js';
import type { InvocationEvent } from '../../lib/local/runtime/events.js';
import { summarize } from '../support/stats.js';

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
}

/** A local pipeline for a benchmark, with every invocation recorded. */
export interface BenchPipeline {
  pipeline: LocalPipeline;
  invocations: Invocation[];
  summarize(functionName: string, from: number, to: number): InvocationSummary;
  stop(): Promise<void>;
}

/**
 * Starts local mode (emulators, the local Lambda runtime with the bundled handlers, the HTTP receiver) for a
 * section, and puts back the environment variables it sets on this process (endpoints), so the sections after it
 * see the environment they would have seen alone.
 */
export async function startBenchPipeline(config: FanoutConfig): Promise<BenchPipeline> {
  const saved = { ...process.env };
  const restoreEnv = (): void => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
  let pipeline: LocalPipeline;
  try {
    pipeline = await startLocalPipeline({ config, keepBodies: true });
  } catch (error) {
    restoreEnv();
    throw error;
  }
  const invocations: Invocation[] = [];
  pipeline.runtime.events.on('invocation', (e) => invocations.push({ ...e, endedAt: Date.now() }));
  return {
    pipeline,
    invocations,
    summarize: (functionName, from, to) => {
      const all = invocations.filter(
        (e) => e.functionName === functionName && e.endedAt >= from && e.endedAt <= to,
      );
      const warm = all.filter((e) => !e.coldStart).map((e) => e.durationMs);
      const s = summarize(warm);
      return {
        invocations: all.length,
        coldStarts: all.length - warm.length,
        median: s.median,
        p90: s.p90,
        p99: s.p99,
        busyPercent: (100 * warm.reduce((a, b) => a + b, 0)) / Math.max(1, to - from),
      };
    },
    stop: async () => {
      try {
        await pipeline.stop();
      } finally {
        restoreEnv();
      }
    },
  };
}
