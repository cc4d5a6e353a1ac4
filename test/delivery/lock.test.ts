import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from '../../lib/aws/clients.js';
import { envelopeClaim, powertoolsEnvelopeLock } from '../../lib/delivery/index.js';
import { type Emulator, startEmulator } from '../../lib/local/emulators.js';
import { createIdempotencyTable, lambdaContext } from '../support/aws.js';
import { envelopeFactory } from './support.js';

let dynamodb: Emulator;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamodb = await startEmulator('dynamodb');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_LAMBDA_FUNCTION_NAME: 'fanout-test-output1-worker',
  });
  client = new ClientPool({ maxAttempts: 3 }).get(DynamoDBClient);
  await createIdempotencyTable(client, 'locks');
});

afterAll(async () => {
  await dynamodb?.stop();
});

describe('powertoolsEnvelopeLock on dynalite', () => {
  it('lets one of two concurrent runs of the same envelope through and refuses the other as in progress', async () => {
    const lock = powertoolsEnvelopeLock({ client, tableName: 'locks', expiresAfterSeconds: 3_600 });
    lock.registerContext(lambdaContext('fanout-test-output1-worker'));
    const claim = envelopeClaim(envelopeFactory(3));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    const first = lock.run(claim, async () => {
      runs++;
      await gate;
      return { delivered: 3 };
    });
    await new Promise((r) => setTimeout(r, 200));
    const second = lock.run(claim, async () => {
      runs++;
      return { delivered: 3 };
    });
    await expect(second).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    release();
    expect(await first).toEqual({ delivered: 3 });
    // Completed: a later duplicate gets the stored result without running.
    expect(await lock.run(claim, async () => ({ delivered: -1 }))).toEqual({ delivered: 3 });
    expect(runs).toBe(1);
  });

  it('releases the claim when the work fails, so Lambda’s retry can run it', async () => {
    const lock = powertoolsEnvelopeLock({ client, tableName: 'locks', expiresAfterSeconds: 3_600 });
    const claim = envelopeClaim(envelopeFactory(2, 'output1', 50));
    await expect(lock.run(claim, async () => Promise.reject(new Error('destination down')))).rejects.toThrow(
      'destination down',
    );
    expect(await lock.run(claim, async () => ({ delivered: 2 }))).toEqual({ delivered: 2 });
  });

  it('keys envelopes by their records, not by when they were sent', () => {
    const a = envelopeFactory(3);
    const b = { ...envelopeFactory(3), sentAt: 999 };
    expect(envelopeClaim(a)).toEqual(envelopeClaim(b));
    expect(envelopeClaim(a)).not.toEqual(envelopeClaim(envelopeFactory(3, 'output1', 1)));
  });
});
