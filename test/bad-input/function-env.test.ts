/**
 * A function started with missing or invalid environment: it fails at start (Lambda reports an init error,
 * and async events are retried, then dead-lettered) with a ConfigError naming the variable and what it needs,
 * never with a TypeError deep inside a handler. docs/bad-input.md F1-F8.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, readFunctionEnvironment } from '../../lib/config/index.js';
import { createContainer } from '../../lib/wiring/container.js';
import { buildWorker } from '../../lib/wiring/worker.js';

const CONFIG = JSON.stringify({
  source: { stream: 'input' },
  targets: [
    { name: 'output1', type: 'kinesis', destination: 'output1' },
    { name: 'webhook', type: 'http', destination: 'https://example.com/hook' },
  ],
});

/** The claim check is on by default: the deploy gives every function its bucket. */
const CLAIMS = { FANOUT_CLAIM_CHECK_BUCKET: 'fanout-test-claims' };

/** The ConfigError of reading `env`, as `file: path: message` lines. */
function problemsOf(read: () => unknown): string[] {
  let error: unknown;
  try {
    read();
  } catch (e) {
    error = e;
  }
  expect(error, 'the environment was accepted').toBeInstanceOf(ConfigError);
  const { file, problems } = error as ConfigError;
  return problems.map((p) => `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('bad function environment', () => {
  it('F1 FANOUT_CONFIG_JSON missing or empty: named, with where it should come from', () => {
    const hint = 'the deploy compiles the configuration into the bundle, local mode sets it as a variable';
    expect(problemsOf(() => readFunctionEnvironment({}))).toEqual([
      `environment: FANOUT_CONFIG_JSON: is not set: ${hint}`,
    ]);
    expect(problemsOf(() => readFunctionEnvironment({ FANOUT_CONFIG_JSON: '' }))).toEqual([
      `environment: FANOUT_CONFIG_JSON: is empty: ${hint}`,
    ]);
  });

  it('F2 FANOUT_CONFIG_JSON that is not JSON (YAML pasted in, or cut short)', () => {
    expect(
      problemsOf(() => readFunctionEnvironment({ FANOUT_CONFIG_JSON: 'source:\n  stream: input' })),
    ).toEqual([expect.stringMatching(/^FANOUT_CONFIG_JSON: is not JSON \(Unexpected token/)]);
    expect(problemsOf(() => readFunctionEnvironment({ FANOUT_CONFIG_JSON: CONFIG.slice(0, 40) }))).toEqual([
      'FANOUT_CONFIG_JSON: is not JSON (Unexpected end of JSON input)',
    ]);
  });

  it('F3 FANOUT_CONFIG_JSON that is JSON but not a valid configuration: every field named', () => {
    const bad = JSON.stringify({ source: {}, targets: [{ name: 'A', type: 'kinesis', destination: 'x' }] });
    expect(problemsOf(() => readFunctionEnvironment({ FANOUT_CONFIG_JSON: bad }))).toEqual([
      'FANOUT_CONFIG_JSON: source.stream: is required (string)',
      'FANOUT_CONFIG_JSON: targets[0].name: "A": must be 1-32 characters of [a-z0-9-], starting and ending with [a-z0-9]',
    ]);
    expect(problemsOf(() => readFunctionEnvironment({ FANOUT_CONFIG_JSON: '[]' }))).toEqual([
      'FANOUT_CONFIG_JSON: the configuration is a list; expected a mapping with "source" and "targets"',
    ]);
  });

  it('F4 FANOUT_STAGE and FANOUT_IDEMPOTENCY_TABLE out of their rules', () => {
    expect(
      problemsOf(() =>
        readFunctionEnvironment({
          FANOUT_CONFIG_JSON: CONFIG,
          FANOUT_STAGE: 'Prod!',
          FANOUT_IDEMPOTENCY_TABLE: 'ab',
        }),
      ),
    ).toEqual([
      'environment: FANOUT_STAGE: "Prod!": must be 1-16 characters of [a-z0-9-]',
      'environment: FANOUT_IDEMPOTENCY_TABLE: "ab" is too short: must be at least 3 character(s)',
    ]);
  });

  it('F5 a worker without FANOUT_TARGET', () => {
    const container = createContainer('worker', { FANOUT_CONFIG_JSON: CONFIG, ...CLAIMS });
    expect(problemsOf(() => buildWorker(container))).toEqual([
      'environment: FANOUT_TARGET: is required for a worker (the name of the target it serves)',
    ]);
  });

  it('F6 a worker whose FANOUT_TARGET is not a target of the configuration: the known ones listed', () => {
    const container = createContainer('worker', {
      FANOUT_CONFIG_JSON: CONFIG,
      FANOUT_TARGET: 'webhok',
      ...CLAIMS,
    });
    expect(problemsOf(() => buildWorker(container))).toEqual([
      'environment: FANOUT_TARGET: "webhok" is not a target of the configuration; expected one of "output1", "webhook"',
    ]);
  });

  it('F7 the deployed worker module itself fails to load with the ConfigError (a Lambda init error)', async () => {
    vi.stubEnv('FANOUT_CONFIG_JSON', CONFIG);
    vi.stubEnv('FANOUT_CLAIM_CHECK_BUCKET', CLAIMS.FANOUT_CLAIM_CHECK_BUCKET);
    vi.stubEnv('FANOUT_TARGET', 'nope');
    const error = await import('../../functions/worker.js').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ConfigError');
    expect((error as Error).message).toContain('FANOUT_TARGET: "nope" is not a target of the configuration');
  });

  it('F9 the claim check on (the default) without a bucket: named, with where it comes from', () => {
    expect(problemsOf(() => readFunctionEnvironment({ FANOUT_CONFIG_JSON: CONFIG }))).toEqual([
      'environment: FANOUT_CLAIM_CHECK_BUCKET: is not set, and claimCheck.bucket names no bucket: the deploy sets it to the bucket it creates',
    ]);
    const off = JSON.stringify({ ...JSON.parse(CONFIG), claimCheck: false });
    expect(readFunctionEnvironment({ FANOUT_CONFIG_JSON: off }).claimCheckBucket).toBeUndefined();
  });

  it('F8 the deployed dispatcher module without its configuration fails to load, naming the variable', async () => {
    vi.stubEnv('FANOUT_CONFIG_JSON', undefined);
    const error = await import('../../functions/dispatcher.js').catch((e: unknown) => e);
    expect((error as Error).name).toBe('ConfigError');
    expect((error as Error).message).toContain('FANOUT_CONFIG_JSON: is not set');
  });
});
