import { describe, expect, it } from 'vitest';
import { destinationArns, destinationProblem } from '../../lib/deploy/destination.js';

const local = (service: string, resource: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
});

describe('destination ARNs for IAM', () => {
  it.each([
    ['kinesis', 'out', [local('kinesis', 'stream/out')]],
    ['sqs', 'jobs.fifo', [local('sqs', 'jobs.fifo')]],
    ['sns', 'alerts', [local('sns', 'alerts')]],
    ['firehose', 'lake', [local('firehose', 'deliverystream/lake')]],
    ['eventbridge', 'default', [local('events', 'event-bus/default')]],
    ['lambda', 'fn:live', [local('lambda', 'function:fn:live')]],
  ] as const)('scopes a %s name to the stack region and account', (type, destination, arns) => {
    expect(destinationArns({ type, destination })).toEqual(arns);
  });

  it('keeps an ARN as it is, in its own region and account', () => {
    const arn = 'arn:aws:kinesis:eu-west-1:210987654321:stream/out';
    expect(destinationArns({ type: 'kinesis', destination: arn })).toEqual([arn]);
  });

  it('turns an SQS queue URL into the queue ARN', () => {
    expect(
      destinationArns({ type: 'sqs', destination: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs' }),
    ).toEqual(['arn:aws:sqs:eu-west-1:123456789012:jobs']);
  });

  it('covers versions and aliases of an unqualified function, and only the alias of a qualified one', () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:f';
    expect(destinationArns({ type: 'lambda', destination: arn })).toEqual([arn, `${arn}:*`]);
    expect(destinationArns({ type: 'lambda', destination: `${arn}:live` })).toEqual([`${arn}:live`]);
    expect(destinationArns({ type: 'lambda', destination: 'f' })).toEqual([
      local('lambda', 'function:f'),
      local('lambda', 'function:f:*'),
    ]);
  });

  it('grants nothing for an http target', () => {
    expect(destinationArns({ type: 'http', destination: 'https://example.com' })).toEqual([]);
    expect(destinationProblem('http', 'https://example.com')).toBeUndefined();
  });
});

describe('destination checks', () => {
  it('accepts names, ARNs and queue URLs of the right service', () => {
    expect(
      destinationProblem('kinesis', 'arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a.b_c'),
    ).toBeUndefined();
    expect(destinationProblem('sqs', 'https://sqs.us-east-1.amazonaws.com/123456789012/q')).toBeUndefined();
    expect(destinationProblem('eventbridge', 'aws.partner/vendor/bus')).toBeUndefined();
    expect(destinationProblem('lambda', 'my-fn:7')).toBeUndefined();
  });

  it('says which service an ARN belongs to and which one the target needs', () => {
    expect(destinationProblem('sqs', 'arn:aws:kinesis:us-east-1:123456789012:stream/s')).toBe(
      '"arn:aws:kinesis:us-east-1:123456789012:stream/s" is an ARN of kinesis, but an sqs target needs an ARN of sqs (arn:aws:sqs:<region>:<account>:<name>)',
    );
  });
});
