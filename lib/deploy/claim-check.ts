import { type CfnResources, type CfnValue, getAtt, ref, sub } from './cfn.js';
import { logicalIds } from './ids.js';
import type { StackContext } from './types.js';

/**
 * The claim check's storage (docs/routing.md): with `claimCheck` and no `bucket`, a bucket of the stack's own,
 * encrypted (SSE-S3: neither function needs KMS permissions), closed to the public, TLS only, and with a
 * lifecycle rule that deletes a stored record `expireDays` after it was written. CloudFormation names the
 * bucket (bucket names are global); the functions get the name in `FANOUT_CLAIM_CHECK_BUCKET`.
 */
export function claimCheckResources(context: StackContext): CfnResources {
  const { config, names } = context;
  const claimCheck = config.claimCheck;
  if (!claimCheck || claimCheck.bucket) return {};
  const bucket = logicalIds.claimCheckBucket;
  return {
    [bucket]: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'expire-claim-checks',
              Status: 'Enabled',
              Prefix: `${names.prefix}/`,
              ExpirationInDays: claimCheck.expireDays,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
          ],
        },
      },
    },
    [logicalIds.claimCheckBucketPolicy]: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: ref(bucket),
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'TlsOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [getAtt(bucket, 'Arn'), sub(`\${${bucket}.Arn}/*`)],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
  };
}

/** The bucket's name for the functions: the one in `claimCheck.bucket`, else the stack's (undefined: off). */
export function claimCheckBucketName(context: StackContext): CfnValue | undefined {
  const claimCheck = context.config.claimCheck;
  if (!claimCheck) return undefined;
  return claimCheck.bucket ?? ref(logicalIds.claimCheckBucket);
}

/**
 * ARN of the objects the functions may touch: `<bucket>/<service>-<stage>/*`, so a shared bucket given in
 * `claimCheck.bucket` opens no more than this stack's own prefix.
 */
export function claimCheckObjectsArn(context: StackContext): CfnValue | undefined {
  const { config, names } = context;
  const claimCheck = config.claimCheck;
  if (!claimCheck) return undefined;
  return claimCheck.bucket
    ? sub(`arn:\${AWS::Partition}:s3:::${claimCheck.bucket}/${names.prefix}/*`)
    : sub(`\${${logicalIds.claimCheckBucket}.Arn}/${names.prefix}/*`);
}
