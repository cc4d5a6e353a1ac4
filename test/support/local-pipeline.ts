import { afterAll, beforeAll } from 'vitest';
import { type HarnessPipelineOptions, startHarnessPipeline } from '../../harness/support/local-pipeline.js';
import type { LocalPipeline } from '../../lib/local/pipeline.js';

export interface LocalPipelineFixture {
  /** What to do once it runs, before the tests (the hook's time covers it too). */
  ready?: (pipeline: LocalPipeline) => Promise<void> | void;
  /** Time for the start and `ready` (default 120 s: bundles, emulators and the stack on a loaded machine). */
  timeoutMs?: number;
}

/**
 * Local mode for a test file: started before its tests with the options `options()` gives then, stopped after them
 * (and this process's environment put back). The function returned gives the pipeline inside the tests.
 */
export function useLocalPipeline(
  options: () => HarnessPipelineOptions | Promise<HarnessPipelineOptions>,
  fixture: LocalPipelineFixture = {},
): () => LocalPipeline {
  let pipeline: LocalPipeline | undefined;
  beforeAll(async () => {
    pipeline = await startHarnessPipeline(await options());
    await fixture.ready?.(pipeline);
  }, fixture.timeoutMs ?? 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });
  return () => {
    if (!pipeline) throw new Error('useLocalPipeline: the pipeline exists inside the tests only');
    return pipeline;
  };
}
