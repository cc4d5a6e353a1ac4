import pLimit from 'p-limit';
import { type RetryOptions, retryWithBackoff } from '../aws/retry.js';
import { ClaimCheckError } from '../claim-check/errors.js';
import type { ClaimCheckStore } from '../claim-check/types.js';
import type { ClaimCheckPointer } from '../envelope/types.js';

/** Objects read at once: each may be up to 10 MiB. */
const PARALLEL_READS = 4;

export type ClaimCheckRead = { ok: true; data: Buffer } | { ok: false; retryable: boolean; reason: string };

/**
 * Reads claim-checked records back (S3 GetObject), with jittered retries within the deadline. Called only for
 * records not delivered yet, so a retried envelope does not read what it already delivered. A missing object
 * (expired, deleted) fails for good: retrying cannot bring it back.
 */
export async function loadClaimChecked(
  pointers: readonly ClaimCheckPointer[],
  store: ClaimCheckStore | undefined,
  retry: RetryOptions,
): Promise<ClaimCheckRead[]> {
  if (!store) {
    return pointers.map(() => ({
      ok: false,
      retryable: false,
      reason:
        'claim-checked record, but this worker has no claim store: its configuration has no `claimCheck`',
    }));
  }
  const limit = pLimit(PARALLEL_READS);
  return Promise.all(
    pointers.map((pointer) =>
      limit(async (): Promise<ClaimCheckRead> => {
        let result: ClaimCheckRead = { ok: false, retryable: true, reason: 'not read before the deadline' };
        await retryWithBackoff(
          [pointer],
          async (pending) => {
            try {
              result = { ok: true, data: await store.get(pointer.b, pointer.k) };
              return [];
            } catch (error) {
              const retryable = error instanceof ClaimCheckError ? error.retryable : true;
              result = { ok: false, retryable, reason: (error as Error).message };
              return retryable ? pending : [];
            }
          },
          retry,
        );
        return result;
      }),
    ),
  );
}
