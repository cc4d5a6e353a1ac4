import { createHash } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { deliveryScope } from '../envelope/keys.js';
import type { Envelope } from '../envelope/types.js';

/** What identifies an envelope for the lock: its delivery scope (target, destination) and a digest of its records' ids. */
export interface EnvelopeClaim {
  target: string;
  envelope: string;
}

export function envelopeClaim(envelope: Envelope): EnvelopeClaim {
  const hash = createHash('sha256');
  for (const r of envelope.records) hash.update(r.id).update(',');
  // A discovered target's envelopes to two streams hold the same records: each is its own piece of work.
  return { target: deliveryScope(envelope), envelope: hash.digest('base64url') };
}

/**
 * Runs one envelope at a time per claim. Lambda may deliver an async event twice, even without errors; two
 * workers on the same envelope would both find its keys undelivered and both deliver. The lock (a conditional
 * write, Powertools idempotency) makes the second one fail with `IdempotencyAlreadyInProgressError` (so it is
 * retried later and then skips everything) and returns the stored summary for an envelope already completed.
 * Two writes per envelope, not per record.
 */
export interface EnvelopeLock {
  run<R extends object>(claim: EnvelopeClaim, work: () => Promise<R>): Promise<R>;
  registerContext(context: Context): void;
}

export function powertoolsEnvelopeLock(options: {
  client: DynamoDBClient;
  tableName: string;
  expiresAfterSeconds: number;
}): EnvelopeLock {
  const config = new IdempotencyConfig({ expiresAfterSeconds: options.expiresAfterSeconds });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
  });
  // Only the claim (argument 0) is hashed into the key; the work function is not part of it.
  const locked = makeIdempotent(async (_claim: EnvelopeClaim, work: () => Promise<object>) => work(), {
    persistenceStore,
    config,
    dataIndexArgument: 0,
  });
  return {
    run: (claim, work) => locked(claim, work) as Promise<never>,
    registerContext: (context) => config.registerLambdaContext(context),
  };
}

/** No lock (idempotency `native` or `none`). */
export const noEnvelopeLock: EnvelopeLock = {
  run: (_claim, work) => work(),
  registerContext: () => {},
};
