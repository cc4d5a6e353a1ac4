/** IAM for http request signing: each signing worker reads exactly its own secret, and no other role reads any. */
import { describe, expect, it } from 'vitest';
import { buildStack } from '../../lib/deploy/stack.js';
import { configWith } from './support.js';

const WHERE = { stage: 'dev', region: 'eu-west-1' };
const local = (resource: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:${resource.split(':')[0]}:\${AWS::Region}:\${AWS::AccountId}:${resource.slice(resource.indexOf(':') + 1)}`,
});

type Statement = { Sid: string; Action: string[]; Resource: unknown[] };
const statementsOf = (role: unknown): Statement[] =>
  (role as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Statement[] } }> } }).Properties
    .Policies[0]!.PolicyDocument.Statement;

const hook = (name: string, secret?: string) => ({
  name,
  type: 'http' as const,
  destination: `https://${name}.example.com/hook`,
  ...(secret ? { http: { signing: { secret } } } : {}),
});

function stack() {
  return buildStack(
    configWith({
      targets: [
        hook('ssm-abs', 'ssm:/fanout/partner/signing'),
        hook('ssm-rel', 'ssm:partner-signing'),
        hook('ssm-arn', 'ssm:arn:aws:ssm:us-east-1:123456789012:parameter/shared/key'),
        hook('sm-name', 'secretsmanager:prod/partner'),
        hook('sm-arn', 'secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner-AbCdEf'),
        hook('plain'),
        { name: 'stream', type: 'kinesis', destination: 'out' },
      ],
    }),
    WHERE,
  ).resources;
}

describe('signing secret grants', () => {
  const resources = stack();
  const signing = (target: string) =>
    statementsOf(
      resources[`Target${target.replace(/-/g, 'Dash').replace(/^./, (c) => c.toUpperCase())}WorkerRole`],
    ).filter((s) => s.Sid === 'ReadSigningSecret');

  it('grants ssm:GetParameter on exactly the parameter, whatever way it is named', () => {
    expect(signing('ssm-abs')).toEqual([
      expect.objectContaining({
        Action: ['ssm:GetParameter'],
        Resource: [local('ssm:parameter/fanout/partner/signing')],
      }),
    ]);
    expect(signing('ssm-rel')[0]?.Resource).toEqual([local('ssm:parameter/partner-signing')]);
    expect(signing('ssm-arn')[0]?.Resource).toEqual([
      'arn:aws:ssm:us-east-1:123456789012:parameter/shared/key',
    ]);
  });

  it('grants secretsmanager:GetSecretValue on the secret: by ARN as given, by name with its 6-character suffix', () => {
    expect(signing('sm-name')).toEqual([
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [local('secretsmanager:secret:prod/partner-??????')],
      }),
    ]);
    expect(signing('sm-arn')[0]?.Resource).toEqual([
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner-AbCdEf',
    ]);
  });

  it('gives no other role any ssm, secretsmanager or kms permission', () => {
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const actions = statementsOf(resource).flatMap((s) => s.Action);
      const reads = actions.filter((a) => /^(ssm|secretsmanager|kms):/.test(a));
      const signs = [
        'TargetSsmDashabsWorkerRole',
        'TargetSsmDashrelWorkerRole',
        'TargetSsmDasharnWorkerRole',
        'TargetSmDashnameWorkerRole',
        'TargetSmDasharnWorkerRole',
      ].includes(id);
      expect(reads.length > 0, id).toBe(signs);
      expect(reads.length, id).toBeLessThanOrEqual(1);
    }
  });
});
