import { type FanoutConfig, FUNCTION_ENV, type TargetConfig } from '../config/index.js';
import { METRICS_NAMESPACE } from '../observability/telemetry.js';
import type { CfnValue } from './cfn.js';
import { claimCheckBucketName } from './claim-check.js';
import { DISPATCHER_FUNCTION_KEY, logicalIds, workerFunctionKey } from './ids.js';
import type { StackContext } from './types.js';

export const DISPATCHER_HANDLER = 'functions/dispatcher.handler';
/** One worker handler for every target; `FANOUT_TARGET` tells it which one it serves. */
export const WORKER_HANDLER = 'functions/worker.handler';

/** A function entry of serverless.yml; osls turns it into the function and its log group. */
export interface ServerlessFunction {
  name: string;
  description: string;
  handler: string;
  /** Logical id of the function's own role (osls then creates no shared role). */
  role: string;
  memorySize: number;
  timeout: number;
  /** Strings, or a `Ref` (the claim-check bucket the stack creates). */
  environment: Record<string, CfnValue>;
  reservedConcurrency?: number;
}

/**
 * The environment contract of lib/config/env.ts. The config itself is not here: it is compiled into the
 * bundle (see {@link esbuildOptions}) so it does not count against Lambda's 4 KB of environment.
 */
function environment(context: StackContext, target?: TargetConfig): Record<string, CfnValue> {
  const { config, stage, names } = context;
  const env: Record<string, CfnValue> = {
    [FUNCTION_ENV.stage]: stage,
    [FUNCTION_ENV.idempotencyTable]: names.idempotencyTable(),
    POWERTOOLS_SERVICE_NAME: config.service,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    // Stack traces point into the TypeScript sources through the bundled source maps.
    NODE_OPTIONS: '--enable-source-maps',
  };
  if (target) env[FUNCTION_ENV.target] = target.name;
  const bucket = claimCheckBucketName(context);
  // A bucket named in the config is compiled in with it; the stack's own gets its name at deploy time.
  if (bucket !== undefined && typeof bucket !== 'string') env[FUNCTION_ENV.claimCheckBucket] = bucket;
  return env;
}

/**
 * The `functions` block: the dispatcher and one worker per target, each with its own role. A `via: invoke`
 * worker's reserved concurrency is the target's `concurrency`; a `via: queue` worker is capped by its event
 * source mapping instead (reserving as well would make the poller's messages bounce off throttles).
 */
export function serverlessFunctions(context: StackContext): Record<string, ServerlessFunction> {
  const { config, names } = context;
  const functions: Record<string, ServerlessFunction> = {
    [DISPATCHER_FUNCTION_KEY]: {
      name: names.dispatcherFunction(),
      description: `Kinesis fan-out dispatcher: hands records of ${config.source.stream} off to ${config.targets.length} targets`,
      handler: DISPATCHER_HANDLER,
      role: logicalIds.dispatcherRole,
      memorySize: config.dispatcher.memory,
      timeout: config.dispatcher.timeout,
      environment: environment(context),
    },
  };
  for (const target of config.targets) {
    const fn: ServerlessFunction = {
      name: names.workerFunction(target.name),
      description: `Kinesis fan-out worker of target ${target.name}: delivers to ${target.type} (via ${target.via})`,
      handler: WORKER_HANDLER,
      role: logicalIds.workerRole(target.name),
      memorySize: target.memory,
      timeout: target.timeout,
      environment: environment(context, target),
    };
    if (target.via === 'invoke') fn.reservedConcurrency = target.concurrency;
    functions[workerFunctionKey(target.name)] = fn;
  }
  return functions;
}

/**
 * Bundle-time switches: `'off'` for a feature the config does not use. The wiring tests them as literals
 * (`process.env.FANOUT_BUNDLE_CLAIM_CHECK !== 'off'`), so esbuild drops the dead branch and, with it, the SDK
 * client only that feature loads (S3, Kinesis ListStreams, STS): ~300 KB less code to load at every cold
 * start. Unset (local mode, tests), every feature is in.
 */
export function bundleSwitches(config: FanoutConfig): Record<string, string> {
  const on = (used: boolean): string => JSON.stringify(used ? 'on' : 'off');
  return {
    'process.env.FANOUT_BUNDLE_CLAIM_CHECK': on(config.claimCheck !== false),
    'process.env.FANOUT_BUNDLE_DISCOVERY': on(config.discover !== undefined),
    'process.env.FANOUT_BUNDLE_ROLES': on(config.targets.some((t) => t.role !== undefined)),
  };
}

/**
 * serverless-esbuild options: every function bundled on its own (package.individually), minified, ESM, with
 * source maps. The validated config is compiled in as `process.env.FANOUT_CONFIG_JSON`, the literal that
 * lib/config/env.ts reads, so the deployed functions run with exactly the config that was checked here.
 */
export function esbuildOptions(
  configJson: string,
  workFolder: string,
  switches: Record<string, string> = {},
): Record<string, unknown> {
  return {
    bundle: true,
    minify: true,
    sourcemap: true,
    // Mappings are enough for stack traces; the sources themselves would only make the zips bigger.
    sourcesContent: false,
    target: 'node22',
    platform: 'node',
    format: 'esm',
    outputFileExtension: '.mjs',
    // Prefer the ESM builds of dependencies (the AWS SDK ships both) so unused code is shaken out.
    mainFields: ['module', 'main'],
    // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
    banner: {
      js: "import{createRequire as __fanoutCreateRequire}from'node:module';const require=__fanoutCreateRequire(import.meta.url);",
    },
    // Bundle everything, the AWS SDK included: the runtime's copy changes under the function without notice.
    exclude: [],
    define: { 'process.env.FANOUT_CONFIG_JSON': JSON.stringify(configJson), ...switches },
    outputWorkFolder: workFolder,
  };
}
