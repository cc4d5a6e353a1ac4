/**
 * Where claim-checked records wait (docs/routing.md): a record too large for any envelope is stored once, and
 * its envelopes carry a pointer that the worker reads back before delivery.
 */
export interface ClaimCheckStore {
  /** Stores a record's data (S3 PutObject). Throws {@link ClaimCheckError}. */
  put(bucket: string, key: string, body: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** Reads a record's data back (S3 GetObject). Throws {@link ClaimCheckError}. */
  get(bucket: string, key: string, signal?: AbortSignal): Promise<Buffer>;
}
