/** What `fanout replay` checks and builds before it starts: options, the target, its surroundings. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { InvalidArgumentError } from 'commander';
import type { ClientPool } from '../aws/clients.js';
import type { TargetConfig } from '../config/schema.js';
import { UnknownTargetError } from '../operate/errors.js';
import { findTarget } from '../operate/target.js';
import { askYesNo } from './interaction.js';
import type { OperateContext } from './operate-context.js';
import type { ReplayOptions } from './replay-options.js';

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

/** What the confirmation asks about: the queue, how much of it, where it goes. */
export function describeReplay(
  ctx: OperateContext,
  chosen: TargetConfig | undefined,
  queue: string,
  visible: number,
  options: ReplayOptions,
): string {
  if (options.source) {
    const to = chosen
      ? `target ${chosen.name}, if it did not deliver them`
      : 'the targets that did not deliver them';
    return `Re-dispatch the ${visible} failed batch(es) of ${queue} from the stream to ${to}`;
  }
  if (!chosen) throw new Error('a DLQ replay needs a target');
  const to =
    chosen.via === 'invoke'
      ? `Invoke of ${ctx.names.workerFunction(chosen.name)}`
      : `queue ${ctx.names.targetQueue(chosen)}`;
  return `Replay up to ${options.max ?? visible} message(s) of ${queue} to target ${chosen.name} (${to}${options.wait ? ', waiting for the worker' : ''})`;
}

/** Asks before a replay that changes something; without a terminal to ask on, refuses (exit code 2). */
export async function confirmReplay(
  what: string,
  ctx: OperateContext,
  env: ReplayEnvironment,
): Promise<boolean> {
  if (!env.interactive) {
    throw new InvalidArgumentError(
      `refusing to replay without confirmation and without a terminal to ask on: ${what}? Pass --yes, or --dry-run to see what would be replayed`,
    );
  }
  return env.confirm(`${what} [${ctx.session.mode}, stage ${ctx.session.stage}]?`);
}

/** What the command needs from its surroundings; tests give their own. */
export interface ReplayEnvironment {
  interactive: boolean;
  progress: boolean;
  confirm: (question: string) => Promise<boolean>;
  clients?: ClientPool;
  signal?: AbortSignal;
}

export const terminal = (): ReplayEnvironment => ({
  interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  progress: Boolean(process.stderr.isTTY),
  confirm: askYesNo,
});

/**
 * A Lambda client for `--wait`: a synchronous invoke lasts up to the worker's timeout, longer than the shared
 * clients' 30 s request timeout; giving up early and retrying would run the envelope twice at once.
 */
export function waitingLambda(timeoutSeconds: number): LambdaClient {
  return new LambdaClient({
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 5_000,
      requestTimeout: (timeoutSeconds + 30) * 1000,
      throwOnRequestTimeout: true,
    }),
  });
}
