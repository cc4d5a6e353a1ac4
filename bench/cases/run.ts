import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setStubDelay } from '../stub/control.js';
import { type Bundle, bundle } from '../support/bundle.js';
import { runJsonChild } from '../support/child.js';
import type { SectionContext } from '../support/section.js';
import type { DispatchCaseInput, DispatchCaseResult } from './dispatch-case.js';
import type { BatchShape } from './events.js';
import type { NaiveCaseInput, NaiveCaseResult } from './naive-case.js';

/** A dispatcher case: batch shape, number of targets, hand-off path, and the stub's delay per response. */
export interface DispatchCaseSpec {
  shape: BatchShape;
  targets: number;
  via: 'invoke' | 'queue';
  delayMs: number;
}

export const caseId = (s: DispatchCaseSpec): string =>
  `${s.shape.records}x${s.shape.recordBytes}B ${s.targets} targets ${s.via} ${s.delayMs}ms`;

/**
 * Batches per case. Small batches get 20 warm-up batches: the packer and the SDK's middleware stack are
 * optimised by V8 only after some, and a warm Lambda container has long passed that point. Big batches take
 * up to seconds each on a loaded machine: fewer. --quick: a smoke run, the numbers are not meant to be read.
 */
export function iterationsFor(records: number, quick: boolean): { warmup: number; iterations: number } {
  if (quick) return records > 1_000 ? { warmup: 1, iterations: 2 } : { warmup: 3, iterations: 5 };
  return records > 1_000 ? { warmup: 3, iterations: 10 } : { warmup: 20, iterations: 30 };
}

/**
 * The case programs run as bundles, the way Lambda runs the functions: the process then holds what a deployed
 * dispatcher holds (no TypeScript loader), so its RSS and CPU time are the function's own.
 */
async function caseProgram(context: SectionContext, name: 'dispatch-case' | 'naive-case'): Promise<string> {
  const key = `bundle:${name}`;
  let built = context.shared.get(key) as Promise<Bundle> | undefined;
  if (!built) {
    const entry = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
    built = bundle(entry, join(context.workDir, 'cases'), { readable: true });
    context.shared.set(key, built);
  }
  return (await built).file;
}

async function runCase<T>(
  context: SectionContext,
  name: 'dispatch-case' | 'naive-case',
  id: string,
  delayMs: number,
  input: object,
): Promise<T> {
  const stub = await context.stub();
  await setStubDelay(stub.endpoint, delayMs);
  const flags: string[] = [];
  if (context.options.cpuProfDir) {
    const dir = join(context.options.cpuProfDir, id.replace(/[^A-Za-z0-9]+/g, '-'));
    mkdirSync(dir, { recursive: true });
    flags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_LAMBDA: stub.endpoint,
    AWS_ENDPOINT_URL_SQS: stub.endpoint,
    AWS_ENDPOINT_URL_KINESIS: stub.endpoint,
  };
  delete env.AWS_PROFILE;
  const program = await caseProgram(context, name);
  return runJsonChild<T>([...flags, program, JSON.stringify({ ...input, endpoint: stub.endpoint })], env);
}

/** Runs a dispatcher case once per bench run: the baseline section reuses the dispatcher section's rows. */
export function runDispatchCase(
  context: SectionContext,
  spec: DispatchCaseSpec,
): Promise<DispatchCaseResult> {
  const key = `dispatch:${caseId(spec)}`;
  let result = context.shared.get(key) as Promise<DispatchCaseResult> | undefined;
  if (!result) {
    context.log(`dispatcher: ${caseId(spec)}`);
    const input: Omit<DispatchCaseInput, 'endpoint'> = {
      shape: spec.shape,
      targets: spec.targets,
      via: spec.via,
      ...iterationsFor(spec.shape.records, context.options.quick),
    };
    result = runCase<DispatchCaseResult>(context, 'dispatch-case', caseId(spec), spec.delayMs, input);
    context.shared.set(key, result);
  }
  return result;
}

export function runNaiveCase(
  context: SectionContext,
  input: Omit<NaiveCaseInput, 'endpoint'>,
  delayMs: number,
): Promise<NaiveCaseResult> {
  const id = `naive ${input.api} ${input.variant} ${input.shape.records}x${input.shape.recordBytes}B ${input.targets} targets ${delayMs}ms`;
  context.log(id);
  return runCase<NaiveCaseResult>(context, 'naive-case', id, delayMs, input);
}
