import { type Command, InvalidArgumentError } from 'commander';
import { checkedOption, integer } from './options.js';
import { openSession } from './session.js';
import type { CommandIo } from './validate.js';

/** The control endpoint of the running local mode (its status URL without `/status`). */
export function localControlUrl(): string {
  const session = openSession({ local: true });
  const status = session.env.FANOUT_LOCAL_STATUS_URL;
  if (!status)
    throw new Error('.fanout/local.env has no FANOUT_LOCAL_STATUS_URL: restart local mode (npm start)');
  return status.replace(/\/status$/, '');
}

/** Asks the running local mode to make a target fail, or to stop making it fail. */
async function failTarget(
  target: string,
  options: { status: number; recover: boolean; handoff: boolean },
): Promise<string> {
  const action = options.recover
    ? 'recover'
    : `fail?status=${options.status}${options.handoff ? '&handoff=1' : ''}`;
  const res = await fetch(`${localControlUrl()}/targets/${encodeURIComponent(target)}/${action}`, {
    method: 'POST',
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { message?: string; error?: string };
  // 400: a target local mode does not run, or a status that is not an error: the caller's mistake.
  if (res.status === 400) throw new InvalidArgumentError(body.error ?? 'refused');
  if (!res.ok) throw new Error(`local mode answered ${res.status}: ${body.error ?? ''}`);
  return body.message ?? '';
}

/**
 * `fanout local fail <target> [--status N] [--handoff] [--recover]`: make a target of the running local mode fail
 * (an http target's receiver answers N, another target's worker fails every invocation, or with `--handoff` the
 * dispatcher's hand-off to it fails) and recover, to try retries, DLQs and `fanout replay` by hand.
 */
export function registerLocalFail(local: Command, io: CommandIo): void {
  local
    .command('fail')
    .description(
      'Make a target of the running local mode fail (http: the local receiver answers --status; others: the worker fails), or recover.',
    )
    .argument('<target>', 'target name')
    .addOption(
      checkedOption(
        '--status <code>',
        'HTTP status the local receiver answers (http targets)',
        integer(400, 599),
        503,
      ),
    )
    .option('--handoff', "fail the dispatcher's hand-off to the target instead (via: invoke targets)")
    .option('--recover', 'stop failing: the target delivers again')
    .action(async (target: string, o: { status: number; recover?: boolean; handoff?: boolean }) => {
      io.out(
        await failTarget(target, {
          status: o.status,
          recover: Boolean(o.recover),
          handoff: Boolean(o.handoff),
        }),
      );
    });
}
