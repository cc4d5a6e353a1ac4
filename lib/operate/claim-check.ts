import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { ClientPool } from '../aws/clients.js';
import { s3ClaimCheckStore } from '../claim-check/s3.js';
import type { ClaimCheckStore } from '../claim-check/types.js';
import { FUNCTION_ENV } from '../config/env.js';
import type { Naming } from '../config/naming.js';
import type { FanoutConfig } from '../config/schema.js';
import { ClaimBucketError } from './errors.js';

/** The claim check as the dispatcher has it: where a record too large for an envelope is stored. */
export interface OperatorClaimCheck {
  store: ClaimCheckStore;
  bucket: string;
}

/**
 * The claim-check store and bucket for a replay that may have to store a record itself (an oversize notice, a
 * re-dispatched range): undefined when the claim check is off. The bucket is `claimCheck.bucket`, else local
 * mode's, else the one the deploy gave the dispatcher (its `FANOUT_CLAIM_CHECK_BUCKET`: the stack names its
 * bucket itself, so it is read back from the function).
 */
export async function operatorClaimCheck(
  config: FanoutConfig,
  names: Naming,
  mode: 'local' | 'aws',
  clients: Pick<ClientPool, 'get'>,
  lambda: LambdaClient,
): Promise<OperatorClaimCheck | undefined> {
  if (!config.claimCheck) return undefined;
  const store = s3ClaimCheckStore(clients.get(S3Client));
  if (config.claimCheck.bucket) return { store, bucket: config.claimCheck.bucket };
  if (mode === 'local') return { store, bucket: names.localClaimCheckBucket() };
  const dispatcher = names.dispatcherFunction();
  let bucket: string | undefined;
  try {
    const out = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: dispatcher }));
    bucket = out.Environment?.Variables?.[FUNCTION_ENV.claimCheckBucket];
  } catch (cause) {
    throw new ClaimBucketError(
      `cannot read the claim-check bucket from ${dispatcher}'s environment (${(cause as Error).message}): give claimCheck.bucket, or allow lambda:GetFunctionConfiguration`,
      { cause },
    );
  }
  if (!bucket) {
    throw new ClaimBucketError(
      `${dispatcher} has no ${FUNCTION_ENV.claimCheckBucket}: deploy the stack with the claim check on (the default) first`,
    );
  }
  return { store, bucket };
}
