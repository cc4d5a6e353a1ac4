import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { ClientPool } from '../../lib/aws/clients.js';

describe('ClientPool', () => {
  it('creates one client per class and region and reuses it', () => {
    const pool = new ClientPool({ region: 'us-east-1' });

    expect(pool.get(KinesisClient)).toBe(pool.get(KinesisClient));
    expect(pool.get(KinesisClient, 'eu-west-1')).not.toBe(pool.get(KinesisClient));
  });

  it('turns off the SQS client MD5 check of message bodies, and only there (S3 hashes SSE-C keys with its md5)', () => {
    const pool = new ClientPool({ region: 'us-east-1' });

    expect(pool.get(SQSClient).config.md5).toBe(false);
    expect(typeof pool.get(S3Client).config.md5).toBe('function');
  });
});
