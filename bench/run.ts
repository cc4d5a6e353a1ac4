/**
 * `npm run bench`: the benchmarks of issue 6, one module per section under bench/sections/.
 *
 *   npm run bench                       every section, tables on stdout (progress on stderr)
 *   npm run bench -- --json             one JSON document instead of tables
 *   npm run bench -- --quick            a fast smoke run: fewer cases and iterations
 *   npm run bench -- --only baseline    only the named sections (repeat or comma-separate)
 *   npm run bench -- --cpu-prof DIR     write a V8 CPU profile of each measured case process to DIR
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
      help: { type: 'boolean', default: false },
    },
  });
  const names = SECTIONS.map((s) => s.name);
  if (values.help) {
    process.stdout.write(
      `usage: npm run bench -- [--json] [--quick] [--only ${names.join('|')}] [--cpu-prof DIR]\n`,
    );
    process.exit(0);
  }
  const only = values.only.flatMap((o) => o.split(',')).filter(Boolean);
  const unknown = only.filter((o) => !names.includes(o));
  if (unknown.length > 0)
    throw new Error(`unknown section ${unknown.join(', ')}; expected ${names.join(', ')}`);
  const options: BenchOptions = { json: values.json, quick: values.quick, only };
  if (values['cpu-prof']) options.cpuProfDir = resolve(values['cpu-prof']);
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
