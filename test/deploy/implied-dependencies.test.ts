/** The template hook behind cfn-lint W3005: a DependsOn that a reference already implies is dropped, nothing else. */
import { describe, expect, it } from 'vitest';
import { dropImpliedDependsOn, referencedIds } from '../../lib/deploy/implied-dependencies.js';

describe('referencedIds', () => {
  it('finds Ref, both forms of Fn::GetAtt and the names in Fn::Sub, but not Sub variables or escaped literals', () => {
    const ids = referencedIds({
      Role: { 'Fn::GetAtt': ['DispatcherRole', 'Arn'] },
      Queue: { 'Fn::GetAtt': 'AuditQueue.Arn' },
      Bucket: { Ref: 'ClaimCheckBucket' },
      Nested: [{ Resource: { 'Fn::Sub': `\${Table.Arn}/index/*:\${AWS::Region}:\${!Literal}` } }],
      WithVariables: { 'Fn::Sub': [`\${Local}-\${Stream}`, { Local: { Ref: 'Other' } }] },
    });
    expect([...ids].sort()).toEqual(
      ['AWS::Region', 'AuditQueue', 'ClaimCheckBucket', 'DispatcherRole', 'Other', 'Stream', 'Table'].sort(),
    );
  });
});

describe('dropImpliedDependsOn', () => {
  it('removes what the properties reference, keeps ordering-only dependencies, and says what it removed', () => {
    const resources = {
      DispatcherLambdaFunction: {
        Properties: { Role: { 'Fn::GetAtt': ['DispatcherRole', 'Arn'] } },
        DependsOn: ['DispatcherLogGroup', 'DispatcherRole'],
      },
      Mapping: { Properties: { FunctionName: { Ref: 'Fn' } }, DependsOn: ['WorkerRole'] },
      Worker: { Properties: { Role: { 'Fn::GetAtt': ['WorkerRole', 'Arn'] } }, DependsOn: 'WorkerRole' },
      Plain: { Properties: {} },
    };
    const dropped = dropImpliedDependsOn(resources);
    expect(dropped).toEqual(['DispatcherLambdaFunction -> DispatcherRole', 'Worker -> WorkerRole']);
    expect(resources.DispatcherLambdaFunction.DependsOn).toEqual(['DispatcherLogGroup']);
    // The mapping is checked against its role's policy when it is created: that order is not implied.
    expect(resources.Mapping.DependsOn).toEqual(['WorkerRole']);
    expect(resources.Worker).not.toHaveProperty('DependsOn');
    expect(resources.Plain).not.toHaveProperty('DependsOn');
  });
});
