import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import { ClientPool } from '../../lib/aws/clients.js';
import { classifyError } from '../../lib/aws/retry.js';

describe('ClientPool', () => {
  it('fails a call to an endpoint that never answers after requestTimeoutMs, retryably', async () => {
    const sockets: Socket[] = [];
    const server = createServer((req) => {
      sockets.push(req.socket);
      req.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      vi.stubEnv('AWS_ENDPOINT_URL_KINESIS', endpoint);
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
      const kinesis = new ClientPool({ region: 'us-east-1', requestTimeoutMs: 300 }).get(KinesisClient);
      const started = Date.now();
      const error = await kinesis
        .send(
          new PutRecordsCommand({
            StreamName: 's',
            Records: [{ Data: Buffer.from('x'), PartitionKey: 'k' }],
          }),
        )
        .catch((e: unknown) => e as Error);

      expect(error).toBeInstanceOf(Error);
      expect(classifyError(error)).toMatchObject({ retryable: true });
      expect((error as Error).message).toContain('requestTimeout');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      vi.unstubAllEnvs();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

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
