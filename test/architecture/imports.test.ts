/**
 * The house's import rules (README "Code map"): the product never depends on the harnesses that prove it, the
 * Lambda handlers' bundles carry no operator, deploy or local-mode code, and the core rooms never import the
 * edges built on them. Each rule is checked over the import graph the TypeScript pre-processor reads.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  circles,
  type ImportGraph,
  type ImportRule,
  readImportGraph,
  violations,
} from '../support/import-graph.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PRODUCT = ['lib', 'functions', 'bin'];
const HARNESSES = ['harness', 'bench', 'test'];
/** What the handlers are built from (README "Code map": core rooms). */
const CORE = [
  'lib/aws',
  'lib/claim-check',
  'lib/config',
  'lib/delivery',
  'lib/dispatch',
  'lib/envelope',
  'lib/handoff',
  'lib/ledger',
  'lib/observability',
  'lib/routing',
  'lib/targets',
];
/** The edges a user runs on a workstation, never inside a Lambda function. */
const EDGES = ['lib/cli', 'lib/deploy', 'lib/local', 'lib/lambda-emulator', 'lib/operate'];

const RULES: readonly ImportRule[] = [
  {
    name: 'the product never imports a harness or test code',
    from: PRODUCT,
    never: HARNESSES,
  },
  {
    name: "the handlers' bundles reach no CLI, deploy, local-mode or operator code",
    from: ['functions'],
    never: [...EDGES, ...HARNESSES],
    transitive: true,
  },
  {
    name: 'the core rooms never import the handler wiring or an edge',
    from: CORE,
    never: ['lib/wiring', ...EDGES, 'functions'],
  },
  {
    name: 'the operator room (AWS and local status alike) never imports local mode',
    from: ['lib/operate'],
    never: ['lib/local', 'lib/lambda-emulator', 'lib/cli'],
  },
  {
    name: 'the local Lambda emulator knows no pipeline code: only its own room, the error base, config and envelope',
    from: ['lib/lambda-emulator'],
    never: ['lib', 'functions'],
    except: ['lib/lambda-emulator', 'lib/errors.ts', 'lib/config', 'lib/envelope'],
  },
  {
    name: 'the benchmarks and the chaos harness share code through harness/support, never test/',
    from: ['harness', 'bench'],
    never: ['test'],
  },
];

describe('import rules', () => {
  const graph = readImportGraph(ROOT, [...PRODUCT, 'harness', 'bench', 'test']);

  it('reads the whole house (the rules would hold vacuously over an empty graph)', () => {
    expect(graph.get('functions/dispatcher.ts')).toContain('lib/wiring/dispatcher.ts');
    expect(graph.get('bin/fanout.js')).toContain('lib/cli/main.ts');
    expect([...graph.keys()].filter((f) => f.startsWith('lib/')).length).toBeGreaterThan(200);
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      expect(violations(graph, rule)).toEqual([]);
    });
  }

  it('no import circles in the product or the harness', () => {
    expect(circles(graph, [...PRODUCT, 'harness'])).toEqual([]);
  });
});

describe('the rule checker', () => {
  const graph: ImportGraph = new Map([
    ['functions/worker.ts', ['lib/wiring/worker.ts']],
    ['lib/wiring/worker.ts', ['lib/delivery/deliver.ts']],
    ['lib/delivery/deliver.ts', ['lib/local/pipeline.ts', 'lib/config/schema.ts']],
    ['lib/local/pipeline.ts', ['harness/support/aws.ts']],
    ['lib/lambda-emulator/runtime.ts', ['lib/config/schema.ts', 'lib/local/stack.ts']],
  ]);

  it('names each forbidden import', () => {
    expect(violations(graph, { name: 'r', from: PRODUCT, never: HARNESSES })).toEqual([
      'lib/local/pipeline.ts -> harness/support/aws.ts',
    ]);
  });

  it('follows chains for a transitive rule and prints the chain', () => {
    expect(violations(graph, { name: 'r', from: ['functions'], never: EDGES, transitive: true })).toEqual([
      'functions/worker.ts -> lib/wiring/worker.ts -> lib/delivery/deliver.ts -> lib/local/pipeline.ts',
    ]);
  });

  it('lets an exception through and nothing else', () => {
    const rule = RULES.find((r) => r.from.includes('lib/lambda-emulator')) as ImportRule;
    expect(violations(graph, rule)).toEqual(['lib/lambda-emulator/runtime.ts -> lib/local/stack.ts']);
  });
});

describe('the circle finder', () => {
  it('finds a circle of three and a file importing itself, not the chain leading into the circle', () => {
    const graph: ImportGraph = new Map([
      ['lib/a.ts', ['lib/b.ts']],
      ['lib/b.ts', ['lib/c.ts']],
      ['lib/c.ts', ['lib/d.ts', 'lib/e.ts']],
      ['lib/d.ts', ['lib/b.ts']],
      ['lib/e.ts', ['lib/e.ts']],
    ]);
    expect(circles(graph, ['lib'])).toEqual([['lib/b.ts', 'lib/c.ts', 'lib/d.ts'], ['lib/e.ts']]);
  });

  it('finds none in a chain, nor in a circle closed only outside the folders checked', () => {
    const graph: ImportGraph = new Map([
      ['lib/a.ts', ['lib/b.ts']],
      ['lib/b.ts', ['lib/c.ts', 'test/t.ts']],
      ['lib/c.ts', []],
      ['test/t.ts', ['lib/a.ts']],
    ]);
    expect(circles(graph, ['lib'])).toEqual([]);
  });
});
