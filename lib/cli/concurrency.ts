import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { type Command, InvalidArgumentError } from 'commander';
import type { ClientPool } from '../aws/clients.js';
import { ConfigError } from '../config/errors.js';
import { DEFAULT_CONFIG_FILE } from '../config/load.js';
import { lineDiff, setTargetConcurrency } from '../operate/concurrency/config-edit.js';
import { applyLiveConcurrency } from '../operate/concurrency/live.js';
import { InvalidSettingError, LiveSettingError, UnknownTargetError } from '../operate/errors.js';
import { openOperateContext } from './operate-context.js';
import { awsOptions, configOption } from './options.js';
import type { SessionOptions } from './session.js';
import type { CommandIo } from './validate.js';

export interface ConcurrencyOptions extends SessionOptions {
  config?: string;
  /** Change the live setting too (reserved concurrency, or the SQS mapping's maximum concurrency). */
  apply?: boolean;
  /** Show the change; write and apply nothing. */
  dryRun?: boolean;
}

/**
 * `fanout concurrency <target> <n>`: edits fanout.yml in place (comments and layout kept), prints the diff,
 * and with `--apply` changes the live setting first, so the file is written only when the live change
 * succeeded (file and AWS never disagree because of this command). Exit code 2 for an impossible value.
 */
export async function concurrencyCommand(
  targetName: string,
  value: number,
  options: ConcurrencyOptions,
  io: CommandIo,
  clients?: ClientPool,
): Promise<number> {
  const file = resolve(options.config ?? process.env.FANOUT_CONFIG ?? DEFAULT_CONFIG_FILE);
  let edit: ReturnType<typeof setTargetConcurrency>;
  try {
    edit = setTargetConcurrency(readFileSync(file, 'utf8'), targetName, value, file);
  } catch (error) {
    if (error instanceof UnknownTargetError || error instanceof InvalidSettingError) {
      throw new InvalidArgumentError(error.message);
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  const diff = lineDiff(edit.before, edit.after, options.config ?? DEFAULT_CONFIG_FILE);
  io.out(
    diff
      ? `${diff}${edit.inPlace ? '' : '\n(the file was re-serialized: comments are kept, spacing may differ)'}`
      : `${file}: concurrency of ${targetName} is already ${value}`,
  );
  if (options.dryRun) {
    io.out('dry run: nothing written or applied');
    return 0;
  }
  if (options.apply) {
    const ctx = openOperateContext({ ...options, config: file }, clients);
    try {
      const { before, after } = await applyLiveConcurrency(
        ctx.clients.get(LambdaClient),
        ctx.names,
        edit.target,
        value,
      );
      io.out(
        `live [${ctx.session.mode}, stage ${ctx.session.stage}]: ${after.setting} of ${before.resource}: ${before.value ?? 'unset'} -> ${after.value}`,
      );
    } catch (error) {
      if (!(error instanceof LiveSettingError)) throw error;
      io.err(`${error.message}\n${file} was not changed.`);
      return 1;
    }
  }
  if (diff) writeFileSync(file, edit.after);
  io.out(
    options.apply
      ? `${diff ? 'wrote' : 'kept'} ${file}`
      : `${diff ? 'wrote' : 'kept'} ${file}; the live setting changes at the next deploy, or now with --apply`,
  );
  return 0;
}

/** Adds `fanout concurrency` to the program. */
export function registerConcurrency(
  program: Command,
  io: CommandIo,
  setExitCode: (code: number) => void,
): void {
  configOption(
    awsOptions(
      program
        .command('concurrency')
        .description(
          "Set a target's concurrency in fanout.yml (comments kept); --apply changes it live, without a redeploy.",
        )
        .argument('<target>', 'target name')
        .argument(
          '<n>',
          'reserved concurrency (via: invoke, 1-1000) or maximum concurrency (via: queue, 2-1000)',
          (v) => {
            if (!/^-?\d+$/.test(v.trim()))
              throw new InvalidArgumentError(`<n> must be an integer, got "${v}"`);
            return Number(v);
          },
        )
        .option('--apply', 'also change the live setting (AWS or local mode)')
        .option('--dry-run', 'show the change; write and apply nothing'),
    ),
  ).action(async (target: string, n: number, o: ConcurrencyOptions) =>
    setExitCode(await concurrencyCommand(target, n, o, io)),
  );
}
