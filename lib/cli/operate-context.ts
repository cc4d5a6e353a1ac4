import { ClientPool, OPERATOR_SDK_ATTEMPTS } from '../aws/clients.js';
import { loadConfigFile } from '../config/load.js';
import { type Naming, naming } from '../config/naming.js';
import type { FanoutConfig } from '../config/schema.js';
import type { PipelineStatus } from '../operate/status/types.js';
import { openSession, type Session, type SessionOptions } from './session.js';

/** What an operator command works with: the configuration, where it talks to, the names and clients. */
export interface OperateContext {
  config: FanoutConfig;
  session: Session;
  names: Naming;
  clients: ClientPool;
}

/**
 * Loads the configuration and opens the session (AWS or local mode) before any client is built, so clients
 * pick up local endpoints from the environment. `clients` may be given (tests).
 */
export function openOperateContext(
  options: SessionOptions & { config?: string },
  clients?: ClientPool,
): OperateContext {
  const config = loadConfigFile(options.config);
  const session = openSession(options);
  return {
    config,
    session,
    names: naming(config.service, session.stage),
    // SDK retries on top of ours for throttles: an operator command has no invocation deadline to respect.
    clients: clients ?? new ClientPool({ maxAttempts: OPERATOR_SDK_ATTEMPTS }),
  };
}

/**
 * Targets local mode runs without (a destination type no emulator provides), with why. Read from the running
 * pipeline's status endpoint; empty against AWS or when local mode does not answer.
 */
export async function locallyDisabledTargets(session: Session): Promise<Map<string, string>> {
  const url = session.mode === 'local' ? session.env.FANOUT_LOCAL_STATUS_URL : undefined;
  if (!url) return new Map();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const status = (await res.json()) as PipelineStatus;
    return new Map(status.targets.filter((t) => t.disabled).map((t) => [t.name, t.disabled as string]));
  } catch {
    return new Map();
  }
}
