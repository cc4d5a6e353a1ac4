import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyError } from '../aws/retry.js';
import { ClaimCheckError } from './errors.js';
import type { ClaimCheckStore } from './types.js';

/** S3 errors that mean the object is gone for good: retrying cannot bring it back. */
const MISSING = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);

/**
 * The claim-check store on S3. The bucket encrypts at rest (SSE-S3, the stack's bucket default), so neither side
 * needs KMS permissions; SDK errors become {@link ClaimCheckError}s that say whether a retry can help.
 *
 * @example
 * const store = s3ClaimCheckStore(clients.get(S3Client));
 * await store.put('fanout-claims', 'fanout-dev/input/shardId-000000000000/4959...', data);
 */
export function s3ClaimCheckStore(client: S3Client): ClaimCheckStore {
  return {
    async put(bucket, key, body, signal) {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'application/octet-stream',
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        const { retryable, reason } = classifyError(error);
        throw new ClaimCheckError(`PutObject s3://${bucket}/${key}: ${reason}`, retryable, { cause: error });
      }
    },

    async get(bucket, key, signal) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
          abortSignal: signal,
        });
        if (!out.Body) throw new ClaimCheckError(`GetObject s3://${bucket}/${key} returned no body`, true);
        return Buffer.from(await out.Body.transformToByteArray());
      } catch (error) {
        if (error instanceof ClaimCheckError) throw error;
        const name = (error as Error)?.name ?? '';
        if (MISSING.has(name)) {
          throw new ClaimCheckError(
            `s3://${bucket}/${key} is gone (${name}): the record's claim-check object expired or was deleted; the data is still in the source stream while its retention lasts`,
            false,
            { cause: error },
          );
        }
        const { retryable, reason } = classifyError(error);
        throw new ClaimCheckError(`GetObject s3://${bucket}/${key}: ${reason}`, retryable, { cause: error });
      }
    },
  };
}
