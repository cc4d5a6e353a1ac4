import {
  ConfigError,
  type ConfigProblem,
  configWarnings,
  type FanoutConfig,
  formatWarning,
  parseConfig,
} from '../config/index.js';
import { alarmResources } from './alarms.js';
import type { CfnOutputs, CfnResources } from './cfn.js';
import { deployProblems } from './checks.js';
import { claimCheckResources } from './claim-check.js';
import { dashboardResources } from './dashboard.js';
import { bundleSwitches, esbuildOptions, type ServerlessFunction, serverlessFunctions } from './functions.js';
import { dispatcherRole, workerRole } from './iam.js';
import { logicalIds } from './ids.js';
import { deployNames } from './names.js';
import { stackOutputs } from './outputs.js';
import { type CfnExtensions, retainData, retainedResources } from './retained.js';
import { sourceResources } from './source.js';
import { targetResources } from './targets.js';
import type { StackContext } from './types.js';

/** CloudFormation's per-template quotas. */
export const TEMPLATE_LIMITS = { resources: 500, outputs: 200 } as const;
/** What osls adds per function (the function and its log group) and per stack (deployment bucket and policy). */
const OSLS_RESOURCES_PER_FUNCTION = 2;
const OSLS_RESOURCES = 2;
const OSLS_OUTPUTS = 1;

export interface StackOptions {
  stage: string;
  region: string;
}

/** Everything the stack adds to what osls generates from `functions`. */
export interface Stack {
  functions: Record<string, ServerlessFunction>;
  resources: CfnResources;
  outputs: CfnOutputs;
  /** Attributes of resources osls generates (the functions' log groups are retained). */
  extensions: CfnExtensions;
}

/**
 * Builds the stack of a validated config: pure, no I/O. Throws {@link ConfigError} (naming each field) when the
 * config cannot be deployed to this stage and region.
 */
export function buildStack(config: FanoutConfig, options: StackOptions, file = '<config>'): Stack {
  const names = deployNames(config.service, options.stage, options.region);
  const problems = deployProblems(config, names, options.stage);
  if (problems.length > 0) throw new ConfigError(file, problems);
  const context: StackContext = { config, stage: options.stage, names };

  const resources: CfnResources = {
    ...sourceResources(context),
    [logicalIds.dispatcherRole]: dispatcherRole(context),
  };
  for (const target of config.targets) {
    Object.assign(resources, targetResources(context, target));
    resources[logicalIds.workerRole(target.name)] = workerRole(context, target);
  }
  Object.assign(resources, claimCheckResources(context));
  const alarms = alarmResources(context);
  Object.assign(resources, alarms);
  const alarmNames = Object.values(alarms).map((alarm) => String(alarm.Properties.AlarmName));
  Object.assign(resources, dashboardResources(context, alarmNames));
  const extensions = retainData(resources, retainedResources(config, names));
  const stack: Stack = {
    functions: serverlessFunctions(context),
    resources,
    outputs: stackOutputs(context),
    extensions,
  };

  const limits = templateProblems(stack);
  if (limits.length > 0) throw new ConfigError(file, limits);
  return stack;
}

function templateProblems(stack: Stack): ConfigProblem[] {
  const functions = Object.keys(stack.functions).length;
  const resources =
    Object.keys(stack.resources).length + functions * OSLS_RESOURCES_PER_FUNCTION + OSLS_RESOURCES;
  const outputs = Object.keys(stack.outputs).length + OSLS_OUTPUTS;
  const problems: ConfigProblem[] = [];
  if (resources > TEMPLATE_LIMITS.resources) {
    problems.push({
      path: 'targets',
      message: `${functions - 1} targets make ${resources} CloudFormation resources; a stack holds at most ${TEMPLATE_LIMITS.resources}: split the targets over two services`,
    });
  } else if (outputs > TEMPLATE_LIMITS.outputs) {
    problems.push({
      path: 'targets',
      message: `${functions - 1} targets make ${outputs} stack outputs; a stack holds at most ${TEMPLATE_LIMITS.outputs}: split the targets over two services`,
    });
  }
  return problems;
}

/** What serverless.yml pulls in through lib/deploy/serverless.cjs. */
export interface ServerlessParts {
  /** What the config may not mean (lib/config/warnings.ts): serverless.cjs prints them, the deploy goes on. */
  warnings: string[];
  service: string;
  functions: Record<string, ServerlessFunction>;
  resources: { Resources: CfnResources; Outputs: CfnOutputs; extensions: CfnExtensions };
  esbuild: Record<string, unknown>;
}

export interface ServerlessPartsOptions extends StackOptions {
  /** Where the config came from, for messages. */
  file: string;
  /** serverless-esbuild's work folder (relative to the service directory); one per concurrent packaging. */
  workFolder: string;
}

/**
 * Validates the config document (as parsed from YAML, before defaults) and builds the serverless parts. The
 * document itself, not the parsed result, is what the functions get: they parse it with the same schema.
 */
export function serverlessParts(document: unknown, options: ServerlessPartsOptions): ServerlessParts {
  const config = parseConfig(document, options.file);
  const stack = buildStack(config, options, options.file);
  return {
    warnings: configWarnings(config).map(formatWarning),
    service: config.service,
    functions: stack.functions,
    resources: { Resources: stack.resources, Outputs: stack.outputs, extensions: stack.extensions },
    esbuild: esbuildOptions(JSON.stringify(document), options.workFolder, bundleSwitches(config)),
  };
}
