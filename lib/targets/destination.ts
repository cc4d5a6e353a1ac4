/** Parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Parses an ARN; undefined for anything else (a name, a URL). */
export function parseArn(value: string): Arn | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

/**
 * Region a destination lives in when it says so (an ARN, an AWS queue URL); undefined otherwise, and the
 * client pool's default region applies. A destination in another region needs a client of that region:
 * requests signed for the wrong region are refused.
 */
export function regionOf(destination: string): string | undefined {
  const arn = parseArn(destination);
  if (arn) return arn.region || undefined;
  const host = /^https?:\/\/([^/:]+)/.exec(destination)?.[1];
  if (!host) return undefined;
  // https://sqs.<region>.amazonaws.com/<account>/<queue> and the legacy https://<region>.queue.amazonaws.com/...
  return (
    /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(host)?.[1] ??
    /^([a-z0-9-]+)\.queue\.amazonaws\.com/.exec(host)?.[1]
  );
}
