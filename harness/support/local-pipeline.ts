import {
  type LocalPipeline,
  type LocalPipelineOptions,
  startLocalPipeline,
} from '../../lib/local/pipeline.js';

export interface HarnessPipelineOptions extends LocalPipelineOptions {
  /**
   * Variables set on this process only while local mode starts (the emulators it starts inherit them: a
   * benchmark's profiler preload), then put back.
   */
  startEnv?: Record<string, string>;
}

/**
 * Local mode for a harness (a test file, a benchmark section): {@link startLocalPipeline}, whose stop also puts
 * back the environment variables local mode set on this process (the emulators' endpoints), so what runs after it
 * in the same process sees the environment it would have seen alone.
 */
export async function startHarnessPipeline(options: HarnessPipelineOptions): Promise<LocalPipeline> {
  const { startEnv, ...localOptions } = options;
  const restoreEnv = saveProcessEnv();
  const restoreStartEnv = startEnv ? setProcessEnv(startEnv) : () => {};
  let pipeline: LocalPipeline;
  try {
    pipeline = await startLocalPipeline(localOptions);
  } catch (error) {
    restoreEnv();
    throw error;
  } finally {
    restoreStartEnv();
  }
  return {
    ...pipeline,
    stop: async () => {
      try {
        return await pipeline.stop();
      } finally {
        restoreEnv();
      }
    },
  };
}

/** A copy of this process's environment; the function returned puts it back (and drops what was added since). */
export function saveProcessEnv(): () => void {
  const saved = { ...process.env };
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}

/** Sets `vars` on this process; the function returned puts back what each was before (or unsets it). */
function setProcessEnv(vars: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [key, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
