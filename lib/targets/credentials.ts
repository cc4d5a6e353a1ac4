import type { ClientPool, Credentials, CredentialsProvider } from '../aws/clients.js';
import type { TargetConfig } from '../config/schema.js';

/**
 * Cross-account and cross-region destinations (docs/routing.md): a target with `role` delivers with that
 * role's temporary credentials (STS AssumeRole, with its `externalId`), a target with `region` with clients of
 * that region. One client pool per (role, external id, region): two targets that share them share clients and
 * one set of credentials.
 */

/** Refresh credentials this long before they expire (the SDK's own margin): a call never starts with stale ones. */
export const REFRESH_BEFORE_MS = 5 * 60_000;
/** Session length asked of STS: the default role maximum, so a worker assumes the role about once an hour. */
export const SESSION_SECONDS = 3_600;

export interface AssumeRoleRequest {
  role: string;
  externalId?: string;
  /** `fanout-<target>`: shows in the destination account's CloudTrail which target acted. */
  sessionName: string;
}

/** Makes the (uncached) credentials provider of a role; replaced by a fake in tests. */
export type AssumeRole = (request: AssumeRoleRequest) => CredentialsProvider;

/**
 * STS AssumeRole through the SDK's `fromTemporaryCredentials` (called with the function's own role), loaded on
 * first use. It does not cache: wrap it in {@link cachedCredentials}.
 */
export const stsAssumeRole: AssumeRole = (request) => {
  let provider: Promise<CredentialsProvider> | undefined;
  return async () => {
    provider ??= import('@aws-sdk/credential-providers').then(({ fromTemporaryCredentials }) =>
      fromTemporaryCredentials({
        params: {
          RoleArn: request.role,
          RoleSessionName: request.sessionName,
          DurationSeconds: SESSION_SECONDS,
          ...(request.externalId ? { ExternalId: request.externalId } : {}),
        },
      }),
    );
    return (await provider)();
  };
};

/** For a bundle built without role support (no target has `role`): never called, since no target asks. */
export const noAssumeRole: AssumeRole = (request) => async () => {
  throw new Error(`cannot assume ${request.role}: this bundle was built for a configuration without roles`);
};

/**
 * Caches credentials until {@link REFRESH_BEFORE_MS} before they expire, then asks the provider again; callers
 * that come while a refresh is running wait for that one (one AssumeRole, not one per client). A failed refresh
 * is not cached: the next call tries again.
 *
 * @example
 * const credentials = cachedCredentials(stsAssumeRole({ role, sessionName: 'fanout-orders' }));
 */
export function cachedCredentials(
  provider: CredentialsProvider,
  options: { now?: () => number; refreshBeforeMs?: number } = {},
): CredentialsProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshBeforeMs ?? REFRESH_BEFORE_MS;
  let current: Credentials | undefined;
  let refreshing: Promise<Credentials> | undefined;
  const fresh = (c: Credentials): boolean => !c.expiration || c.expiration.getTime() - now() > margin;
  return () => {
    if (current && fresh(current)) return Promise.resolve(current);
    refreshing ??= provider()
      .then((c) => {
        current = c;
        return c;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };
}

/** The client pool a target's adapter gets, given the function's own pool. */
export type TargetClientPools = (
  target: Pick<TargetConfig, 'name' | 'role' | 'externalId' | 'region'>,
) => ClientPool;

/**
 * Client pools for targets: the shared pool for a target without `role` or `region`, else a derived pool per
 * (role, external id, region), created once per container and kept.
 *
 * @example
 * const poolOf = targetClientPools(clients, { assumeRole: stsAssumeRole });
 * const adapter = createAdapter({ target, clients: poolOf(target), idempotency });
 */
export function targetClientPools(
  base: ClientPool,
  options: { assumeRole: AssumeRole; now?: () => number },
): TargetClientPools {
  const { assumeRole } = options;
  const pools = new Map<string, ClientPool>();
  return (target) => {
    if (!target.role && !target.region) return base;
    const key = `${target.role ?? ''}\u0000${target.externalId ?? ''}\u0000${target.region ?? ''}`;
    let pool = pools.get(key);
    if (!pool) {
      pool = base.derive({
        ...(target.region ? { region: target.region } : {}),
        ...(target.role
          ? {
              credentials: cachedCredentials(
                assumeRole({
                  role: target.role,
                  sessionName: `fanout-${target.name}`,
                  ...(target.externalId ? { externalId: target.externalId } : {}),
                }),
                options.now ? { now: options.now } : {},
              ),
            }
          : {}),
      });
      pools.set(key, pool);
    }
    return pool;
  };
}
