/**
 * Where an http target's signing secret lives: `ssm:<parameter name or ARN>` (a SecureString, read with
 * decryption) or `secretsmanager:<secret name or ARN>`. Parsed here, without any SDK, so the schema, the
 * worker and the deploy's IAM grants read a reference the same way.
 */

/** A parsed secret reference. `id` is what GetParameter / GetSecretValue get: a name or an ARN. */
export type SecretRef =
  | { service: 'ssm'; id: string; arn?: ParsedSecretArn }
  | { service: 'secretsmanager'; id: string; arn?: ParsedSecretArn };

export interface ParsedSecretArn {
  partition: string;
  region: string;
  account: string;
}

// SSM parameter names: [a-zA-Z0-9_.-] and `/` for hierarchies, up to 2048 characters.
const SSM_NAME = /^\/?[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const SSM_ARN = /^arn:(aws[a-z-]*):ssm:([a-z0-9-]+):(\d{12}):parameter(\/[A-Za-z0-9_./-]+)$/;
// Secrets Manager names: [A-Za-z0-9/_+=.@-], 1-512 characters.
const SM_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SM_ARN = /^arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:[A-Za-z0-9/_+=.@-]+$/;

/** What {@link parseSecretRef} accepts, for error messages. */
export const SECRET_REF_RULE =
  'must be "ssm:<parameter name or ARN>" or "secretsmanager:<secret name or ARN>"';

/**
 * Parses `ssm:/path/name`, `ssm:arn:aws:ssm:...:parameter/name`, `secretsmanager:name` or
 * `secretsmanager:arn:aws:secretsmanager:...:secret:name-AbCdEf`; undefined for anything else.
 *
 * @example
 * parseSecretRef('ssm:/fanout/partner/signing'); // { service: 'ssm', id: '/fanout/partner/signing' }
 */
export function parseSecretRef(text: string): SecretRef | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const service = text.slice(0, colon);
  const id = text.slice(colon + 1);
  if (service === 'ssm') {
    if (id.length > 2048) return undefined;
    const arn = SSM_ARN.exec(id);
    if (arn) return { service, id, arn: { partition: arn[1]!, region: arn[2]!, account: arn[3]! } };
    return SSM_NAME.test(id) ? { service, id } : undefined;
  }
  if (service === 'secretsmanager') {
    const arn = SM_ARN.exec(id);
    if (arn) return { service, id, arn: { partition: arn[1]!, region: arn[2]!, account: arn[3]! } };
    return SM_NAME.test(id) ? { service, id } : undefined;
  }
  return undefined;
}
