/**
 * `npm run bench`: the benchmarks of issue 6, one module per section under bench/sections/.
 *
 *   npm run bench                       every section, tables on stdout (progress on stderr)
 *   npm run bench -- --json             one JSON document instead of tables
 *   npm run bench -- --quick            a fast smoke run: fewer cases and iterations
 *   npm run bench -- --only baseline    only the named sections (repeat or comma-separate)
 *   npm run bench -- --cpu-prof DIR     write a V8 CPU profile of each measured case process to DIR
 *   npm run bench -- --only end-to-end --rates 2000 --seconds 10 --variants none --batch-size 500 \
 *                    --orderings ordered  one load level of one configuration (end-to-end only)
 *
 * Starts what it needs (the stub endpoint, dynalite) as child processes and stops them before it exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SECTIONS } from './sections/index.js';
import { type StubServer, startStub } from './stub/control.js';
import { describeMachine, machineInfo } from './support/machine.js';
import type { BenchOptions, SectionContext } from './support/section.js';
import { renderTable } from './support/table.js';

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true, default: [] },
      'cpu-prof': { type: 'string' },
      rates: { type: 'string' },
      seconds: { type: 'string' },
      variants: { type: 'string' },
      'batch-size': { type: 'string' },
      orderings: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const names = SECTIONS.map((s) => s.name);
  if (values.help) {
    process.stdout.write(
      `usage: npm run bench -- [--json] [--quick] [--only ${names.join('|')}] [--cpu-prof DIR]\n` +
        '  end-to-end only: [--rates 2000,4000] [--seconds 20] [--variants store,none] [--batch-size 100]\n' +
        '                   [--orderings ordered,unordered,hot-key]\n',
    );
    process.exit(0);
  }
  const only = values.only.flatMap((o) => o.split(',')).filter(Boolean);
  const unknown = only.filter((o) => !names.includes(o));
  if (unknown.length > 0)
    throw new Error(`unknown section ${unknown.join(', ')}; expected ${names.join(', ')}`);
  const options: BenchOptions = { json: values.json, quick: values.quick, only };
  if (values['cpu-prof']) options.cpuProfDir = resolve(values['cpu-prof']);
  const list = (value: string | undefined): string[] => (value ?? '').split(',').filter(Boolean);
  const positive = (name: string, value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} ${value}: expected a positive number`);
    return n;
  };
  if (values.rates) options.rates = list(values.rates).map((r) => positive('rates', r));
  if (values.seconds) options.seconds = positive('seconds', values.seconds);
  if (values['batch-size']) {
    const size = positive('batch-size', values['batch-size']);
    if (!Number.isInteger(size) || size > 10_000)
      throw new Error(`--batch-size ${values['batch-size']}: expected a whole number from 1 to 10000`);
    options.batchSize = size;
  }
  if (values.variants) {
    const variants = list(values.variants);
    const bad = variants.filter((v) => v !== 'store' && v !== 'none');
    if (bad.length > 0) throw new Error(`--variants ${bad.join(',')}: expected store and/or none`);
    options.variants = variants as Array<'store' | 'none'>;
  }
  if (values.orderings) {
    const orderings = list(values.orderings);
    const bad = orderings.filter((o) => !['ordered', 'unordered', 'hot-key'].includes(o));
    if (bad.length > 0)
      throw new Error(`--orderings ${bad.join(',')}: expected ordered, unordered and/or hot-key`);
    options.orderings = orderings as NonNullable<BenchOptions['orderings']>;
  }
  return options;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const workDir = mkdtempSync(join(tmpdir(), 'fanout-bench-'));
  let stub: Promise<StubServer> | undefined;
  const context: SectionContext = {
    options,
    workDir,
    log: (message) =>
      process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${message}\n`),
    stub: () => {
      stub ??= startStub();
      return stub;
    },
    shared: new Map(),
  };
  const machine = machineInfo();
  const results: Record<string, unknown> = {};
  let failed = 0;
  if (!options.json)
    process.stdout.write(
      `kinesis-fanout benchmarks${options.quick ? ' (--quick)' : ''}\nmachine: ${describeMachine(machine)}\n\n`,
    );
  try {
    for (const section of SECTIONS) {
      if (options.only.length > 0 && !options.only.includes(section.name)) continue;
      context.log(`section ${section.name}`);
      try {
        const report = await section.run(context);
        results[section.name] = { title: section.title, ...report };
        if (!options.json) process.stdout.write(`${report.tables.map(renderTable).join('\n')}\n`);
      } catch (error) {
        failed++;
        results[section.name] = { title: section.title, error: String((error as Error)?.stack ?? error) };
        process.stderr.write(`section ${section.name} failed: ${(error as Error)?.stack ?? error}\n`);
      }
    }
  } finally {
    if (stub) await (await stub).stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ machine, options, seconds, sections: results }, null, 2)}\n`);
  } else {
    process.stdout.write(
      `finished in ${seconds.toFixed(0)} s${failed ? `; ${failed} section(s) failed` : ''}\n`,
    );
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
