/** ARNs of the simulated account, built the way the emulators build theirs. */

export interface AccountScope {
  region: string;
  accountId: string;
}

export function functionArn(scope: AccountScope, name: string): string {
  return `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name}`;
}

/**
 * The function name of an `Invoke` path parameter, which may be a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN.
 */
export function functionNameOf(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  const at = parts.indexOf('function');
  if (at >= 0 && parts[at + 1]) return parts[at + 1] as string;
  return parts[0] ?? nameOrArn;
}
