import type { ClientPool } from '../aws/clients.js';
import type { ClaimStore } from './types.js';

/**
 * The S3 claim store, its SDK client loaded by a dynamic import: a function whose config has no `claimCheck`
 * never builds one, and so never evaluates the S3 client at cold start (esbuild inlines the module but runs it
 * only when imported).
 */
export function lazyS3ClaimStore(clients: ClientPool): ClaimStore {
  let store: Promise<ClaimStore> | undefined;
  const load = (): Promise<ClaimStore> => {
    store ??= Promise.all([import('@aws-sdk/client-s3'), import('./s3.js')]).then(
      ([{ S3Client }, { s3ClaimStore }]) => s3ClaimStore(clients.get(S3Client)),
    );
    return store;
  };
  return {
    put: async (bucket, key, body, signal) => (await load()).put(bucket, key, body, signal),
    get: async (bucket, key, signal) => (await load()).get(bucket, key, signal),
  };
}
