export { alarmResources, iteratorAgeThresholdMs } from './alarms.js';
export {
  type BundleSize,
  bundleSize,
  formatBundleReport,
  type ZipEntry,
  zipEntries,
} from './bundle-report.js';
export type {
  CfnOutput,
  CfnOutputs,
  CfnResource,
  CfnResources,
  CfnValue,
  RetentionPolicy,
} from './cfn.js';
export { deployProblems } from './checks.js';
export { DASHBOARD_LOGICAL_ID, dashboardName, dashboardResources, dashboardUrl } from './dashboard.js';
export { destinationArns, destinationProblem } from './destination.js';
export {
  bundleSwitches,
  esbuildOptions,
  type ServerlessFunction,
  serverlessFunctions,
} from './functions.js';
export { dispatcherRole, workerRole } from './iam.js';
export { DISPATCHER_FUNCTION_KEY, logicalIds, workerFunctionKey } from './ids.js';
export { dropImpliedDependsOn, referencedIds } from './implied-dependencies.js';
export { type LoadOptions, loadServerlessParts } from './load.js';
export { type DeployNames, deployNames, NAME_LIMITS } from './names.js';
export { stackOutputs } from './outputs.js';
export {
  type CfnExtensions,
  logGroupName,
  RETAIN,
  type RetainedKind,
  type RetainedResource,
  retainData,
  retainedResources,
} from './retained.js';
export { type SigningGrant, signingGrant } from './signing.js';
export {
  buildStack,
  type ServerlessParts,
  type ServerlessPartsOptions,
  type Stack,
  type StackOptions,
  serverlessParts,
  TEMPLATE_LIMITS,
} from './stack.js';
export type { StackContext } from './types.js';
