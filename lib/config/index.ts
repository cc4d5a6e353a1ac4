export { CONFIG_LIMITS, readBounded } from './bounds.js';
export type { HandoffMode, IdempotencyMode, TargetType } from './constants.js';
export { ASYNC_INVOKE_PAYLOAD_LIMIT, HANDOFF_MODES, SQS_MESSAGE_LIMIT, TARGET_TYPES } from './constants.js';
export { FUNCTION_ENV, type FunctionEnvironment, readFunctionEnvironment } from './env.js';
export { ConfigError, type ConfigProblem } from './errors.js';
export {
  DEFAULT_CLAIM_EXPIRE_DAYS,
  DEFAULT_DISCOVERED_TARGET,
  DEFAULT_MESSAGE_GROUPS,
  FIFO_BATCH_LIMIT,
  isDiscoveredTarget,
} from './features.js';
export {
  DEFAULT_CONFIG_FILE,
  formatPath,
  loadConfigFile,
  parseConfig,
  parseConfigText,
  readConfigFile,
} from './load.js';
export { type Naming, naming, type TargetRef } from './naming.js';
export { isOrdered, isOrderedDestination } from './ordering.js';
export {
  type ClaimCheckConfig,
  configSchema,
  type DiscoverSettings,
  type DispatcherConfig,
  type FanoutConfig,
  type FanoutConfigInput,
  type SourceConfig,
  supportsNativeIdempotency,
  type TargetConfig,
} from './schema.js';
export {
  type ParsedSecretArn,
  parseSecretRef,
  SECRET_REF_RULE,
  type SecretRef,
} from './secret-ref.js';
export { idempotencyModeOf, targetNamed } from './target.js';
export { configWarnings, formatWarning, privateAddressKind } from './warnings.js';
