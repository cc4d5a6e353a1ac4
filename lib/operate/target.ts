import type { FanoutConfig, TargetConfig } from '../config/schema.js';
import { targetNamed } from '../config/target.js';
import { UnknownTargetError } from './errors.js';

/** The target called `name`; throws {@link UnknownTargetError} naming the known targets otherwise. */
export function findTarget(config: FanoutConfig, name: string): TargetConfig {
  const target = targetNamed(config, name);
  if (!target)
    throw new UnknownTargetError(
      name,
      config.targets.map((t) => t.name),
    );
  return target;
}
