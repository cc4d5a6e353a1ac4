import { readLocalEnv } from '../local/env-file.js';

/** Options every command that talks to AWS or local mode accepts. */
export interface SessionOptions {
  local?: boolean;
  region?: string;
  profile?: string;
  stage?: string;
}

export interface Session {
  mode: 'local' | 'aws';
  stage: string;
  /** Variables applied to process.env (endpoints, region); empty against AWS. */
  env: Record<string, string>;
}

/** Local mode is running: its env file exists and the process that wrote it is alive. */
function liveLocalEnv(): Record<string, string> | undefined {
  const vars = readLocalEnv();
  const pid = Number(vars?.FANOUT_LOCAL_PID);
  if (!vars || !pid) return undefined;
  try {
    process.kill(pid, 0);
    return vars;
  } catch {
    return undefined;
  }
}

/**
 * Decides where a command talks to: `--local`, or local mode detected from `.fanout/local.env` (when neither
 * `--region` nor `--profile` asks for AWS), else AWS with the standard credential chain. Applies the choice to
 * process.env before any SDK client is built.
 */
export function openSession(options: SessionOptions): Session {
  const wantsAws = Boolean(options.region || options.profile);
  const local = options.local || !wantsAws ? liveLocalEnv() : undefined;
  if (options.local && !local) {
    throw new Error(
      'local mode is not running (no live .fanout/local.env): start it with `npm start` in this folder',
    );
  }
  if (local) {
    Object.assign(process.env, local);
    return { mode: 'local', stage: local.FANOUT_STAGE ?? 'local', env: local };
  }
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  if (options.region) process.env.AWS_REGION = options.region;
  return { mode: 'aws', stage: options.stage ?? process.env.FANOUT_STAGE ?? 'dev', env: {} };
}

/**
 * The SDK's "Region is missing" (no `--region`, no AWS_REGION, no region in the profile), when local mode was
 * not found either: what the user can do, rather than the SDK's words. Undefined for any other error.
 */
export function explainNothingToTalkTo(error: unknown): string | undefined {
  if ((error as Error | undefined)?.message !== 'Region is missing') return undefined;
  return [
    'local mode is not running in this folder (no live .fanout/local.env) and AWS is not configured (no region). Either:',
    '  - start local mode in this folder, in another terminal: `npm start` (or `npx fanout local`), then run this again; or',
    '  - talk to AWS: add `--region <region>` (and `--profile <name>`), or set AWS_REGION and credentials in the environment.',
  ].join('\n');
}
