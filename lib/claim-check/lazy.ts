import type { ClientPool } from '../aws/clients.js';
import type { ClaimCheckStore } from './types.js';

/**
 * The S3 claim-check store, its SDK client loaded by a dynamic import: a function whose config has no `claimCheck`
 * never builds one, and so never evaluates the S3 client at cold start (esbuild inlines the module but runs it
 * only when imported).
 */
export function lazyS3ClaimCheckStore(clients: ClientPool): ClaimCheckStore {
  let store: Promise<ClaimCheckStore> | undefined;
  const load = (): Promise<ClaimCheckStore> => {
    store ??= Promise.all([import('@aws-sdk/client-s3'), import('./s3.js')]).then(
      ([{ S3Client }, { s3ClaimCheckStore }]) => s3ClaimCheckStore(clients.get(S3Client)),
    );
    return store;
  };
  return {
    put: async (bucket, key, body, signal) => (await load()).put(bucket, key, body, signal),
    get: async (bucket, key, signal) => (await load()).get(bucket, key, signal),
  };
}
