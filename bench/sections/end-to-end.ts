import { join } from 'node:path';
import { DEFAULT_SOURCE_BATCH_SIZE } from '../../lib/config/constants.js';
import { parseConfig } from '../../lib/config/load.js';
import { startBenchPipeline } from '../local/pipeline.js';
import { StepDriver } from '../local/step.js';
import { count } from '../support/format.js';
import type { BenchOptions, Section, SectionContext, SectionReport } from '../support/section.js';
import {
  cpuTable,
  type Ordering,
  TARGETS,
  throughputTable,
  type Variant,
  type VariantResult,
} from './end-to-end-tables.js';

const WARM_UP = { rate: 2_000, seconds: 2 };
/** The one partition key of the hot-key rows. */
const HOT_KEY = 'hot';

/**
 * The example fanout.yml's settings (the default batchSize, 500; store idempotency), ordered by default, at
 * increasing rates;
 * the same without the idempotency store, the knob that moves the CPU per record the most; the same two with
 * `ordered: false` on the kinesis targets (async invoke), what the order costs; and one hot partition key, where
 * an ordered target delivers one record per call (docs/routing.md). `--batch-size 100` gives Lambda's own default
 * for comparison.
 */
function plan(options: BenchOptions): { seconds: number; drainMs: number; variants: Variant[] } {
  const planned = defaultPlan(options.quick);
  const variants = planned.variants
    .filter((v) => !options.variants || options.variants.includes(v.idempotency ?? 'store'))
    .filter((v) => !options.orderings || options.orderings.includes(v.ordering))
    .map((v) => (options.rates ? { ...v, rates: options.rates } : v))
    .map((v) =>
      options.batchSize
        ? {
            ...v,
            batchSize: options.batchSize,
            label: v.label.replace(/batch \d+/, `batch ${options.batchSize}`),
          }
        : v,
    );
  return { ...planned, ...(options.seconds ? { seconds: options.seconds } : {}), variants };
}

function defaultPlan(quick: boolean): { seconds: number; drainMs: number; variants: Variant[] } {
  const variant = (ordering: Ordering, idempotency: 'store' | 'none', rates: number[]): Variant => ({
    label: `${ordering === 'hot-key' ? 'ordered, one key' : ordering}, ${idempotency}, batch ${DEFAULT_SOURCE_BATCH_SIZE}`,
    ordering,
    batchSize: DEFAULT_SOURCE_BATCH_SIZE,
    ...(idempotency === 'none' ? { idempotency } : {}),
    rates,
  });
  return quick
    ? {
        seconds: 6,
        drainMs: 20_000,
        variants: [
          variant('ordered', 'store', [1_000, 2_000]),
          variant('ordered', 'none', [2_000]),
          variant('unordered', 'none', [2_000]),
          variant('hot-key', 'none', [100]),
        ],
      }
    : {
        seconds: 20,
        drainMs: 45_000,
        variants: [
          variant('ordered', 'store', [500, 1_000, 2_000]),
          variant('ordered', 'none', [2_000, 4_000]),
          variant('unordered', 'store', [500, 1_000, 2_000]),
          variant('unordered', 'none', [2_000, 4_000]),
          variant('hot-key', 'store', [50, 100, 200]),
          variant('hot-key', 'none', [100, 200, 400]),
        ],
      };
}

async function runVariant(
  context: SectionContext,
  variant: Variant,
  seconds: number,
  drainMs: number,
): Promise<VariantResult> {
  const config = parseConfig({
    // A zero batching window, as issue 3's goal asks.
    source: { stream: 'input', batchSize: variant.batchSize, batchWindow: 0 },
    targets: TARGETS.map((t) => ({
      ...t,
      ...(variant.ordering === 'unordered' && t.type === 'kinesis' ? { ordered: false } : {}),
      ...(variant.idempotency ? { idempotency: variant.idempotency } : {}),
    })),
  });
  context.log(`end-to-end (${variant.label}): starting local mode`);
  const { cpuProfDir } = context.options;
  const bench = await startBenchPipeline(
    config,
    cpuProfDir
      ? { cpuProfDir: join(cpuProfDir, `end-to-end-${variant.label.replace(/[^a-z0-9]+/gi, '-')}`) }
      : {},
  );
  const result: VariantResult = { variant, steps: [], skipped: [] };
  const keys = variant.ordering === 'hot-key' ? { partitionKey: () => HOT_KEY } : {};
  try {
    const driver = new StepDriver(bench);
    // Warm-up: a burst that makes every function scale to its concurrency (a container per invocation in flight),
    // so the measured steps run on warm containers, as a pipeline that has been running does; then let it drain.
    // One hot key runs one ordered worker at a time: its warm-up is its first rate, not a burst it cannot drain.
    const warmUp = variant.ordering === 'hot-key' ? { rate: variant.rates[0] ?? 100, seconds: 2 } : WARM_UP;
    await driver.step(warmUp.rate, warmUp.seconds, drainMs, keys);
    await driver.settle(180_000);
    for (const rate of variant.rates) {
      const last = result.steps.at(-1);
      if (last && !last.drain.complete) {
        result.skipped.push({ rate, why: `${count(last.rate)}/s left a backlog` });
        continue;
      }
      context.log(`end-to-end (${variant.label}): ${count(rate)} records/s for ${seconds} s`);
      result.steps.push(await driver.step(rate, seconds, drainMs, keys));
    }
  } finally {
    await bench.stop();
  }
  return result;
}

async function run(context: SectionContext): Promise<SectionReport> {
  const { seconds, drainMs, variants } = plan(context.options);
  const results: VariantResult[] = [];
  for (const variant of variants) results.push(await runVariant(context, variant, seconds, drainMs));
  return { tables: [throughputTable(results, seconds), cpuTable(results)], data: results };
}

export const endToEndSection: Section = {
  name: 'end-to-end',
  title: 'End-to-end in local mode',
  run,
};
