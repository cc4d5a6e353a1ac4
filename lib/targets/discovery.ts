import { DiscoveryError } from './errors.js';

/** Every stream name of the account and region (see stream-lister.ts). */
export type StreamLister = (signal?: AbortSignal) => Promise<string[]>;

/** After a failed refresh, wait this long (at most `refreshSeconds`) before listing again. */
const RETRY_AFTER_FAILURE_MS = 30_000;

/** The streams to deliver to, and whether the list is older than `refreshSeconds` (a refresh failed). */
export interface DiscoveredStreams {
  names: readonly string[];
  /** Why the list was not refreshed when due (it is the last good one). */
  stale?: string;
}

export interface StreamDiscovery {
  /** The matching streams: from the cache while it is fresh, else listed again (one listing at a time). */
  streams(): Promise<DiscoveredStreams>;
}

export interface StreamDiscoveryOptions {
  list: StreamLister;
  prefix: string;
  refreshMs: number;
  /** Never deliver to these (the source stream: its records would come back). */
  exclude?: readonly string[];
  now?: () => number;
  /** Called with the streams found at each successful listing. */
  onRefresh?: (names: readonly string[]) => void;
}

/**
 * Discovery by naming convention, cached per container: the dispatcher lists the streams once per
 * `refreshSeconds` (ListStreams allows 5 calls per second per account, shared by every container), not per
 * batch. A failed refresh keeps the last good list and tries again after 30 s; with no list at all it throws
 * {@link DiscoveryError}, and the dispatcher reports the records it could not hand off.
 *
 * @example
 * const discovery = createStreamDiscovery({ list: awsStreamLister(kinesis), prefix: 'app-output-', refreshMs: 300_000 });
 * const { names } = await discovery.streams();
 */
export function createStreamDiscovery(options: StreamDiscoveryOptions): StreamDiscovery {
  const now = options.now ?? Date.now;
  const exclude = new Set(options.exclude ?? []);
  let cached: { names: string[]; due: number } | undefined;
  let listing: Promise<DiscoveredStreams> | undefined;

  const refresh = async (): Promise<DiscoveredStreams> => {
    try {
      const all = await options.list();
      const names = all.filter((n) => n.startsWith(options.prefix) && !exclude.has(n)).sort();
      cached = { names, due: now() + options.refreshMs };
      options.onRefresh?.(names);
      return { names };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!cached) {
        throw error instanceof DiscoveryError ? error : new DiscoveryError(reason, { cause: error });
      }
      cached.due = now() + Math.min(options.refreshMs, RETRY_AFTER_FAILURE_MS);
      return { names: cached.names, stale: reason };
    }
  };

  return {
    streams() {
      if (cached && now() < cached.due) return Promise.resolve({ names: cached.names });
      listing ??= refresh().finally(() => {
        listing = undefined;
      });
      return listing;
    },
  };
}
