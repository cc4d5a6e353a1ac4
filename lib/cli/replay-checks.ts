import { InvalidArgumentError } from 'commander';
import type { TargetConfig } from '../config/schema.js';
import { UnknownTargetError } from '../operate/errors.js';
import { findTarget } from '../operate/target.js';
import type { OperateContext } from './operate-context.js';
import type { ReplayOptions } from './replay.js';

/** Rejects option combinations that make no sense, naming them (exit code 2). */
export function checkReplayOptions(target: string | undefined, o: ReplayOptions): void {
  if (o.source) {
    const dlqOnly = (['wait', 'quarantine', 'filter', 'olderThan', 'newerThan', 'rate'] as const).filter(
      (k) => o[k] !== undefined && o[k] !== false,
    );
    if (dlqOnly.length > 0) {
      const flags = dlqOnly.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
      throw new InvalidArgumentError(`${flags.join(', ')}: only for a target's DLQ, not with --source`);
    }
  } else if (!target) {
    throw new InvalidArgumentError(
      'give the target whose DLQ to replay, or --source for the dispatcher failures',
    );
  }
  if (o.olderThan !== undefined && o.newerThan !== undefined && o.olderThan >= o.newerThan) {
    throw new InvalidArgumentError('--older-than must be less than --newer-than, or no message can match');
  }
}

/** The target to replay, as a usage error (exit code 2) when unknown, or off in local mode. */
export function replayTarget(
  ctx: OperateContext,
  name: string,
  disabled: ReadonlyMap<string, string>,
): TargetConfig {
  try {
    const target = findTarget(ctx.config, name);
    const off = disabled.get(name) ?? (target.enabled ? undefined : 'disabled in the configuration');
    // A disabled target keeps its worker and DLQ on AWS (nothing is lost); local mode has no worker for it.
    if (off && ctx.session.mode === 'local')
      throw new InvalidArgumentError(`target "${name}" is off in local mode: ${off}`);
    return target;
  } catch (error) {
    if (error instanceof UnknownTargetError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}
