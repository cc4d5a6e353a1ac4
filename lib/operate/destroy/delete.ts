import { DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteStreamCommand } from '@aws-sdk/client-kinesis';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  type ObjectIdentifier,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { classifyError } from '../../aws/retry.js';
import type { DestroyClients, FoundResource } from './inventory.js';

/** What became of one resource. */
export interface DeletionResult {
  resource: FoundResource;
  outcome: 'deleted' | 'not there' | 'kept' | 'failed';
  reason?: string;
}

/**
 * Deletes the resources the inventory found, each with its own API; one that fails does not stop the others.
 * A resource whose state is unknown is kept (with the reason): nothing is deleted on a guess.
 */
export async function deleteRetained(
  found: readonly FoundResource[],
  clients: DestroyClients,
): Promise<DeletionResult[]> {
  return Promise.all(
    found.map(async (resource): Promise<DeletionResult> => {
      if (resource.state === 'absent') return { resource, outcome: 'not there' };
      if (resource.state === 'unknown') {
        return { resource, outcome: 'kept', reason: resource.problem ?? 'could not be looked up' };
      }
      try {
        await deleteOne(resource, clients);
        return { resource, outcome: 'deleted' };
      } catch (error) {
        return { resource, outcome: 'failed', reason: classifyError(error).reason };
      }
    }),
  );
}

async function deleteOne(resource: FoundResource, clients: DestroyClients): Promise<void> {
  const name = resource.physicalName ?? '';
  switch (resource.kind) {
    case 'queue':
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: resource.queueUrl }));
      return;
    case 'table':
      await clients.dynamodb.send(new DeleteTableCommand({ TableName: name }));
      return;
    case 'stream':
      // A consumer registered by someone else would otherwise refuse the deletion.
      await clients.kinesis.send(
        new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }),
      );
      return;
    case 'log group':
      await clients.logs.send(new DeleteLogGroupCommand({ logGroupName: name }));
      return;
    case 'bucket':
      await emptyBucket(clients.s3, name);
      await clients.s3.send(new DeleteBucketCommand({ Bucket: name }));
      return;
  }
}

/** S3 deletes only an empty bucket: every object version and delete marker first, 1000 per call. */
async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
    const objects: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map(
      (o) => ({ Key: o.Key as string, ...(o.VersionId ? { VersionId: o.VersionId } : {}) }),
    );
    if (objects.length === 0) return;
    const out = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
    );
    const failed = out.Errors ?? [];
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} object(s) of ${bucket} not deleted, e.g. ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`,
      );
    }
  }
}
