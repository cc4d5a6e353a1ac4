import { type PipelineStatus, renderStatus } from '../local/status.js';
import { openSession, type SessionOptions } from './session.js';
import type { CommandIo } from './validate.js';

export interface StatusOptions extends SessionOptions {
  json: boolean;
  /** Refresh every this many seconds until interrupted (0: once). */
  watch: number;
}

async function readStatus(options: StatusOptions): Promise<PipelineStatus> {
  const session = openSession(options);
  if (session.mode === 'local') {
    const url = session.env.FANOUT_LOCAL_STATUS_URL;
    if (!url)
      throw new Error('.fanout/local.env has no FANOUT_LOCAL_STATUS_URL: restart local mode (npm start)');
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`local status endpoint answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as PipelineStatus;
  }
  throw new Error(
    'status against AWS is not available yet; run it against local mode (`npm start`, then `fanout status --local`)',
  );
}

/** `fanout status`: per-target numbers as a table, or JSON for scripts; `--watch` refreshes. */
export async function statusCommand(options: StatusOptions, io: CommandIo): Promise<number> {
  for (;;) {
    const status = await readStatus(options);
    io.out(
      options.json
        ? JSON.stringify(status, null, 2)
        : `${options.watch && process.stdout.isTTY ? '\x1b[H\x1b[2J' : ''}${renderStatus(status)}`,
    );
    if (!options.watch) return 0;
    await new Promise((r) => setTimeout(r, options.watch * 1000));
  }
}
