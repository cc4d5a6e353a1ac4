/** The schema checker itself: it must catch the mistakes it is there for. */
import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnSpec, checkTemplate, loadCfnSpec } from './cfn-schema.js';

let spec: CfnSpec;
beforeAll(async () => {
  spec = await loadCfnSpec();
});

const queue = (properties: Record<string, unknown>) => ({
  Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: properties } },
});

describe('checkTemplate', () => {
  it('accepts a conforming resource, intrinsic functions included', () => {
    const template = {
      Resources: {
        Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q', VisibilityTimeout: 30 } },
        T: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            TableName: { 'Fn::Sub': `\${AWS::StackName}-t` },
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            BillingMode: 'PAY_PER_REQUEST',
          },
          DependsOn: ['Q'],
        },
      },
      Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Q', 'Arn'] } } },
    };
    expect(checkTemplate(spec, template)).toEqual([]);
  });

  it('reports a misspelt property, a wrong value type and a missing required property', () => {
    expect(checkTemplate(spec, queue({ VisibiltyTimeout: 30, DelaySeconds: '5' }))).toEqual([
      expect.stringMatching(/^Resources\.Q\.Properties\.VisibiltyTimeout: unknown property/),
      'Resources.Q.Properties.DelaySeconds: expected an integer, got "5"',
    ]);
    const table = {
      Resources: {
        T: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'id' }] } },
      },
    };
    expect(checkTemplate(spec, table)).toContain(
      'Resources.T.Properties.KeySchema[0]: required property KeyType is missing',
    );
  });

  it('reports nested property types, unknown resource types, and references to nothing', () => {
    const template = {
      Resources: {
        M: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            FunctionName: { Ref: 'Missing' },
            ScalingConfig: { MaxConcurrency: 2 },
            DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['M', 'Url'] } } },
          },
        },
        X: { Type: 'AWS::SQS::Queueue', Properties: {} },
      },
    };
    expect(checkTemplate(spec, template)).toEqual([
      'Resources.M.Properties.FunctionName: Ref to unknown resource "Missing"',
      expect.stringMatching(/ScalingConfig\.MaxConcurrency: unknown property \(known: MaximumConcurrency\)/),
      'Resources.M.Properties.DestinationConfig.OnFailure.Destination: AWS::Lambda::EventSourceMapping has no attribute "Url"',
      'Resources.X: unknown resource type AWS::SQS::Queueue',
    ]);
  });
});
