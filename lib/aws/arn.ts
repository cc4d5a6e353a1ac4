/** Parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/**
 * An ARN as IAM takes one: a partition of AWS (`aws`, `aws-cn`, `aws-us-gov`, ...), a service, a region and an
 * account of 12 digits (both empty where the service has none, as S3), and a resource that may hold colons and
 * slashes (`function:name:alias`, `stream/name`).
 */
const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/;

/**
 * Parses an ARN; undefined for anything else (a name, a URL, a malformed ARN).
 *
 * @example
 * parseArn('arn:aws:sqs:us-east-1:123456789012:q'); // { partition: 'aws', service: 'sqs', ..., resource: 'q' }
 */
export function parseArn(text: string): Arn | undefined {
  const match = ARN.exec(text);
  if (!match) return undefined;
  return {
    partition: match[1]!,
    service: match[2]!,
    region: match[3]!,
    account: match[4] ?? '',
    resource: match[5]!,
  };
}

/**
 * The stream name of `arn:aws:kinesis:<region>:<account>:stream/<name>` (an event source mapping's event names
 * its stream by ARN; a config may name it either way), or the text itself when it names no stream.
 */
export function streamNameOf(arnOrName: string): string {
  const at = arnOrName.indexOf(':stream/');
  return at === -1 ? arnOrName : arnOrName.slice(at + ':stream/'.length).split('/')[0] || arnOrName;
}
