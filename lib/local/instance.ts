import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LOCAL_ENV_FILE, readLocalEnv } from './env-file.js';
import { LocalModeRunningError } from './errors.js';

/** Held by the `fanout local` of a folder while it runs (its pid), so a second one in the folder refuses. */
export const LOCAL_LOCK_FILE = '.fanout/local.lock';

/** A live process that is a `fanout local` (a pid left by a crash may have been given to another program). */
export function isLocalModeProcess(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return true;
  try {
    const args = readFileSync(cmdline, 'utf8').split('\0');
    return args.includes('local');
  } catch {
    return true;
  }
}

/** The endpoints a running instance wrote, for the refusal message. */
function endpointsOf(pid: number, envFile: string): string {
  const env = readLocalEnv(envFile);
  if (!env || Number(env.FANOUT_LOCAL_PID) !== pid) return '';
  const port = (url: string | undefined): string => {
    try {
      return new URL(url ?? '').port || '?';
    } catch {
      return '?';
    }
  };
  return `ports: Kinesis ${port(env.AWS_ENDPOINT_URL_KINESIS)}, SQS/SNS ${port(env.AWS_ENDPOINT_URL_SQS)}, DynamoDB ${port(env.AWS_ENDPOINT_URL_DYNAMODB)}, Lambda ${port(env.AWS_ENDPOINT_URL_LAMBDA)}, status ${port(env.FANOUT_LOCAL_STATUS_URL)}; endpoints in ${envFile}`;
}

/** The claim on a folder: release it (and the env file, if this instance wrote it) at stop. */
export interface LocalInstance {
  release(): void;
}

/**
 * Claims the folder for this `fanout local`: creates the lock file exclusively, so two starts at the same time
 * cannot both win. A lock whose process is gone (a crash, `kill -9`) is taken over.
 *
 * @throws LocalModeRunningError naming the running instance's pid and ports.
 */
export function claimLocalInstance(lockFile = LOCAL_LOCK_FILE, envFile = LOCAL_ENV_FILE): LocalInstance {
  const lock = resolve(lockFile);
  mkdirSync(dirname(lock), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (holder !== process.pid && isLocalModeProcess(holder)) {
        throw new LocalModeRunningError(holder, endpointsOf(holder, envFile));
      }
      rmSync(lock, { force: true });
    }
  }
  return {
    release: () => {
      const ours = (file: string, pid: number | undefined): boolean =>
        pid === process.pid && existsSync(file);
      let holder: number | undefined;
      try {
        holder = Number(readFileSync(lock, 'utf8').trim());
      } catch {}
      if (ours(envFile, Number(readLocalEnv(envFile)?.FANOUT_LOCAL_PID)))
        rmSync(resolve(envFile), { force: true });
      if (ours(lock, holder)) rmSync(lock, { force: true });
    },
  };
}
