import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AssumeRole request the fake STS answered. */
export interface AssumeRoleCall {
  roleArn: string;
  externalId: string | undefined;
  sessionName: string;
  durationSeconds: number;
  /** Access key id the caller signed the request with (its own credentials). */
  signedBy: string | undefined;
}

export interface FakeSts {
  endpoint: string;
  calls: AssumeRoleCall[];
  /** How long the credentials it hands out last (default: the duration asked for). */
  lifetimeMs?: number;
  stop(): Promise<void>;
}

/** Access key id of the n-th (1-based) credentials the fake hands out. */
export const assumedKeyId = (n: number): string => `ASIAFAKE${String(n).padStart(12, '0')}`;

const read = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });

/**
 * A fake STS endpoint for `AWS_ENDPOINT_URL_STS`: answers AssumeRole (the query protocol the SDK speaks) with
 * new credentials each time, expiring after the duration asked for (or `lifetimeMs`), and records each call.
 */
export async function startFakeSts(now: () => number = Date.now): Promise<FakeSts> {
  const sts: FakeSts = { endpoint: '', calls: [], stop: async () => {} };
  const server = createServer(async (req, res) => {
    const params = new URLSearchParams(await read(req));
    if (params.get('Action') !== 'AssumeRole') {
      res
        .writeHead(400, { 'content-type': 'text/xml' })
        .end('<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>');
      return;
    }
    const duration = Number(params.get('DurationSeconds') ?? 3600);
    sts.calls.push({
      roleArn: params.get('RoleArn') ?? '',
      externalId: params.get('ExternalId') ?? undefined,
      sessionName: params.get('RoleSessionName') ?? '',
      durationSeconds: duration,
      signedBy: /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1],
    });
    const expiration = new Date(now() + (sts.lifetimeMs ?? duration * 1000)).toISOString();
    res
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${assumedKeyId(sts.calls.length)}</AccessKeyId><SecretAccessKey>secret-${sts.calls.length}</SecretAccessKey><SessionToken>token-${sts.calls.length}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAFAKE:${params.get('RoleSessionName')}</AssumedRoleId><Arn>${params.get('RoleArn')}/${params.get('RoleSessionName')}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>fake-${sts.calls.length}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sts.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sts.stop = () => new Promise((resolve) => server.close(() => resolve()));
  return sts;
}
