import { parseArn } from '../aws/arn.js';

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
