import * as z from 'zod/mini';
import { ConfigError } from './errors.js';
import { type Naming, naming } from './naming.js';
import { parseConfig, toProblems } from './parse.js';
import type { FanoutConfig } from './schema.js';

/**
 * Environment of the dispatcher and worker functions. Set by serverless.yml on AWS and by the local runtime
 * in local mode; the handler code reads nothing else.
 *
 * - `FANOUT_CONFIG_JSON`: the fanout.yml content as JSON. On AWS, serverless-esbuild injects it at build time
 *   (esbuild `define` of `process.env.FANOUT_CONFIG_JSON`), so it does not count against Lambda's 4 KB of
 *   environment. Local mode sets it as a variable. (Functions never read YAML: it would add ~110 KB to the
 *   bundle and a file to the package.)
 * - `FANOUT_STAGE`: stage of the resource names (default `dev`).
 * - `FANOUT_TARGET`: the target a worker serves (workers only).
 * - `FANOUT_IDEMPOTENCY_TABLE`: DynamoDB table of delivered keys (default: the stack's table name).
 * - `FANOUT_CLAIM_CHECK_BUCKET`: bucket of claim-checked records, when `claimCheck` names none (the stack
 *   creates it, and CloudFormation names it).
 */
export const FUNCTION_ENV = {
  configJson: 'FANOUT_CONFIG_JSON',
  stage: 'FANOUT_STAGE',
  target: 'FANOUT_TARGET',
  idempotencyTable: 'FANOUT_IDEMPOTENCY_TABLE',
  claimCheckBucket: 'FANOUT_CLAIM_CHECK_BUCKET',
} as const;

const envSchema = z.object({
  FANOUT_STAGE: z._default(
    z.string().check(z.regex(/^[a-z0-9-]{1,16}$/, 'must be 1-16 characters of [a-z0-9-]')),
    'dev',
  ),
  FANOUT_TARGET: z.optional(z.string().check(z.minLength(1))),
  FANOUT_IDEMPOTENCY_TABLE: z.optional(z.string().check(z.minLength(3), z.maxLength(255))),
  FANOUT_CLAIM_CHECK_BUCKET: z.optional(z.string().check(z.minLength(3), z.maxLength(63))),
});

export interface FunctionEnvironment {
  config: FanoutConfig;
  stage: string;
  names: Naming;
  idempotencyTable: string;
  /** Set for workers. */
  target?: string;
  /** Bucket of claim-checked records: `claimCheck.bucket`, else `FANOUT_CLAIM_CHECK_BUCKET` (set with `claimCheck`). */
  claimCheckBucket?: string;
}

/**
 * Reads and validates a function's environment once per container.
 * Throws {@link ConfigError} naming each bad variable or config field.
 */
export function readFunctionEnvironment(env: NodeJS.ProcessEnv = process.env): FunctionEnvironment {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError('environment', toProblems(parsed.error, env));
  // Read through a literal `process.env.X` when `env` is process.env, so an esbuild `define` can replace it.
  const json = env === process.env ? process.env.FANOUT_CONFIG_JSON : env.FANOUT_CONFIG_JSON;
  if (!json) {
    throw new ConfigError('environment', [
      {
        path: FUNCTION_ENV.configJson,
        message: `is ${json === '' ? 'empty' : 'not set'}: the deploy compiles the configuration into the bundle, local mode sets it as a variable`,
      },
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    throw new ConfigError(
      FUNCTION_ENV.configJson,
      [{ path: '', message: `is not JSON (${(cause as Error).message})` }],
      {
        cause,
      },
    );
  }
  const config: FanoutConfig = parseConfig(raw, FUNCTION_ENV.configJson);
  const stage = parsed.data.FANOUT_STAGE;
  const names = naming(config.service, stage);
  const result: FunctionEnvironment = {
    config,
    stage,
    names,
    idempotencyTable: parsed.data.FANOUT_IDEMPOTENCY_TABLE ?? names.idempotencyTable(),
  };
  if (parsed.data.FANOUT_TARGET) result.target = parsed.data.FANOUT_TARGET;
  const bucket =
    (config.claimCheck ? config.claimCheck.bucket : undefined) ?? parsed.data.FANOUT_CLAIM_CHECK_BUCKET;
  if (config.claimCheck && !bucket) {
    throw new ConfigError('environment', [
      {
        path: FUNCTION_ENV.claimCheckBucket,
        message:
          'is not set, and claimCheck.bucket names no bucket: the deploy sets it to the bucket it creates',
      },
    ]);
  }
  if (config.claimCheck && bucket) result.claimCheckBucket = bucket;
  return result;
}
