import { parseSecretRef, type TargetConfig } from '../config/index.js';
import { type CfnValue, localArn } from './cfn.js';

/** What a worker may do with the signing secret of its http target: read it, nothing else. */
export interface SigningGrant {
  actions: string[];
  resources: CfnValue[];
}

/**
 * The IAM grant of an http target's `http.signing.secret`, scoped to exactly that parameter or secret:
 * - `ssm:/a/b` → `ssm:GetParameter` on `arn:…:ssm:<region>:<account>:parameter/a/b` (the ARN has one `/`
 *   between `parameter` and a name that starts with one);
 * - `secretsmanager:name` → `secretsmanager:GetSecretValue` on `arn:…:secret:name-??????` (Secrets Manager
 *   appends six random characters to a secret's ARN; `??????` matches exactly those, not `name-other`);
 * - an ARN is granted as given.
 * A customer-managed KMS key also needs `kms:Decrypt` for the worker role (docs/security.md); the AWS managed
 * keys (`aws/ssm`, `aws/secretsmanager`) need nothing more. Undefined when the target signs nothing.
 */
export function signingGrant(target: Pick<TargetConfig, 'type' | 'http'>): SigningGrant | undefined {
  const secret = target.type === 'http' ? target.http?.signing?.secret : undefined;
  const ref = secret === undefined ? undefined : parseSecretRef(secret);
  if (!ref) return undefined;
  if (ref.service === 'ssm') {
    const name = ref.id.startsWith('/') ? ref.id : `/${ref.id}`;
    return {
      actions: ['ssm:GetParameter'],
      resources: [ref.arn ? ref.id : localArn('ssm', `parameter${name}`)],
    };
  }
  return {
    actions: ['secretsmanager:GetSecretValue'],
    resources: [ref.arn ? ref.id : localArn('secretsmanager', `secret:${ref.id}-??????`)],
  };
}
