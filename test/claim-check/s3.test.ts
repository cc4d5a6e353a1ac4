/** The S3 claim store: what it sends, and how it classifies S3's errors. */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ClaimCheckError, s3ClaimCheckStore } from '../../lib/claim-check/index.js';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());
const store = () => s3ClaimCheckStore(new S3Client({ region: 'us-east-1' }));

describe('s3ClaimCheckStore', () => {
  it('puts a record’s bytes under its key and reads them back', async () => {
    s3.on(PutObjectCommand).resolves({});
    // The SDK's stream body, as far as the store uses it.
    const body = { transformToByteArray: async () => new Uint8Array(Buffer.from('large')) };
    s3.on(GetObjectCommand).resolves({ Body: body as never });
    await store().put('claims', 'fanout-dev/input/shard/1', Buffer.from('large'));
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'claims',
      Key: 'fanout-dev/input/shard/1',
      ContentType: 'application/octet-stream',
    });
    expect((await store().get('claims', 'fanout-dev/input/shard/1')).toString()).toBe('large');
  });

  it('fails for good on a missing object, saying the data is still in the stream', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );
    const error = (await store()
      .get('claims', 'k')
      .catch((e: unknown) => e)) as ClaimCheckError;
    expect(error).toBeInstanceOf(ClaimCheckError);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/s3:\/\/claims\/k is gone \(NoSuchKey\).*still in the source stream/);
  });

  it('lets a throttled or failing S3 call be retried, and an access denial not', async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' }))
      .rejectsOnce(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const slow = (await store()
      .put('b', 'k', Buffer.from('x'))
      .catch((e: unknown) => e)) as ClaimCheckError;
    expect(slow.retryable).toBe(true);
    const denied = (await store()
      .put('b', 'k', Buffer.from('x'))
      .catch((e: unknown) => e)) as ClaimCheckError;
    expect(denied.retryable).toBe(false);
    expect(denied.message).toBe('PutObject s3://b/k: AccessDenied: Access Denied');
  });
});
