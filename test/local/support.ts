import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * An external AWS client to talk to local mode with: the AWS CLI (`aws`), else Debian's python3-boto3.
 * .ci/run installs both; a machine with neither fails the test with the install command.
 */
export async function awsCli(): Promise<{ kind: 'aws' | 'boto3'; command: string; version: string }> {
  try {
    const { stdout, stderr } = await run('aws', ['--version']);
    const version = /aws-cli\/(\S+)/.exec(`${stdout}${stderr}`)?.[1] ?? '';
    return { kind: 'aws', command: 'aws', version };
  } catch {}
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      await run(python, ['-c', 'import boto3']);
      return { kind: 'boto3', command: python, version: '' };
    } catch {}
  }
  throw new Error('neither the AWS CLI nor boto3 is installed: apt-get install awscli python3-boto3');
}
