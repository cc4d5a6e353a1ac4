import type { FanoutConfig } from '../config/index.js';
import type { DeployNames } from './names.js';

/** What every resource builder gets: the validated config and the names for this stage and region. */
export interface StackContext {
  config: FanoutConfig;
  stage: string;
  names: DeployNames;
}
