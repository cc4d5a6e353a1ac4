import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../support/bundle.js';
import { bytes, ms, verdict } from '../support/format.js';
import type { Section, SectionContext, SectionReport } from '../support/section.js';
import { summarize } from '../support/stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FUNCTIONS = [
  { name: 'dispatcher', entry: 'functions/dispatcher.ts', sizeTarget: 1_000_000, importTarget: 150 },
  { name: 'worker', entry: 'functions/worker.ts', sizeTarget: undefined, importTarget: undefined },
];

/** A small valid configuration: what the module parses at import (a larger one costs little more). */
const CONFIG = {
  service: 'fanout',
  source: { stream: 'input' },
  targets: [
    { name: 'output1', type: 'kinesis', destination: 'output1' },
    { name: 'audit', type: 'sqs', destination: 'audit', via: 'queue' },
  ],
};

// Times the import inside the fresh process, so process start-up (which Lambda has done before init) is apart.
const PROBE =
  'const t=performance.now();await import(process.argv[1]);' +
  'process.stdout.write(JSON.stringify({importMs:performance.now()-t,rss:process.memoryUsage().rss}));';

interface ImportRun {
  importMs: number;
  processMs: number;
  rss: number;
}

async function importOnce(file: string): Promise<ImportRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE, file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      FANOUT_CONFIG_JSON: JSON.stringify(CONFIG),
      FANOUT_TARGET: 'output1',
      FANOUT_STAGE: 'bench',
      // The deploy sets it with the claim check (on by default) to the bucket it creates.
      FANOUT_CLAIM_CHECK_BUCKET: 'fanout-bench-claims',
    },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const processMs = performance.now() - started;
  if (code !== 0) throw new Error(`importing ${file} failed (exit ${code}): ${err.slice(-2_000)}`);
  const { importMs, rss } = JSON.parse(out) as { importMs: number; rss: number };
  return { importMs, processMs, rss };
}

async function run(context: SectionContext): Promise<SectionReport> {
  const runs = context.options.quick ? 3 : 10;
  const data = [];
  const rows: string[][] = [];
  for (const fn of FUNCTIONS) {
    context.log(`cold start: bundling and importing ${fn.entry} ${runs} times`);
    const built = await bundle(join(ROOT, fn.entry), join(context.workDir, 'functions', fn.name));
    const samples: ImportRun[] = [];
    for (let i = 0; i < runs; i++) samples.push(await importOnce(built.file));
    const imp = summarize(samples.map((s) => s.importMs));
    const proc = summarize(samples.map((s) => s.processMs));
    const rss = summarize(samples.map((s) => s.rss));
    data.push({ function: fn.name, bundle: built, samples });
    rows.push([
      fn.name,
      bytes(built.bytes),
      bytes(built.mapBytes),
      fn.sizeTarget ? `${verdict(built.bytes < fn.sizeTarget)} <${bytes(fn.sizeTarget)}` : '-',
      ms(imp.median),
      ms(imp.p90),
      ms(proc.median),
      bytes(rss.median),
      fn.importTarget ? `${verdict(imp.median < fn.importTarget)} <${fn.importTarget} ms` : '-',
    ]);
  }
  return {
    tables: [
      {
        title: `5. Cold start: esbuild bundles as deployed (minified ESM, node22), imported in a fresh Node process (${runs} runs)`,
        head: [
          'function',
          'bundle',
          'source map',
          'size',
          'import median ms',
          'p90 ms',
          'process ms',
          'RSS after import',
          'import',
        ],
        rows,
        notes: [
          'import: time of `await import(bundle)` in a new `node` process, module-scope set-up included (config parse, clients, Powertools); process ms: spawn to exit, Node start-up included.',
          'A MISS is explained under Targets in docs/benchmarks.md. Bundled with lib/deploy/functions.ts esbuildOptions (what serverless-esbuild gets); the config comes from FANOUT_CONFIG_JSON (deployed bundles compile it in). Size targets apply to the dispatcher; the worker is shown for comparison.',
        ],
      },
    ],
    data,
  };
}

export const coldStartSection: Section = {
  name: 'cold-start',
  title: 'Cold start',
  run,
};
