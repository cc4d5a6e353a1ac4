import { describe, expect, it } from 'vitest';
import { parseArn, streamNameOf } from '../../lib/aws/arn.js';

describe('ARNs', () => {
  it('parses ARNs and stream names', () => {
    expect(parseArn('arn:aws:sqs:us-east-1:123456789012:q')).toEqual({
      partition: 'aws',
      service: 'sqs',
      region: 'us-east-1',
      account: '123456789012',
      resource: 'q',
    });
    expect(parseArn('queue-name')).toBeUndefined();
    expect(streamNameOf('arn:aws:kinesis:us-east-1:123456789012:stream/in')).toBe('in');
    expect(streamNameOf('in')).toBe('in');
  });

  it('parses an ARN and keeps colons and slashes of the resource', () => {
    expect(parseArn('arn:aws:lambda:eu-west-1:123456789012:function:consumer:live')).toEqual({
      partition: 'aws',
      service: 'lambda',
      region: 'eu-west-1',
      account: '123456789012',
      resource: 'function:consumer:live',
    });
    expect(parseArn('orders-out')).toBeUndefined();
  });

  it('takes an ARN without region and account, and no ARN of another partition or a malformed account', () => {
    expect(parseArn('arn:aws:s3:::bucket/key')).toEqual({
      partition: 'aws',
      service: 's3',
      region: '',
      account: '',
      resource: 'bucket/key',
    });
    expect(parseArn('arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s')?.partition).toBe('aws-cn');
    expect(parseArn('arn:other:sqs:us-east-1:123456789012:q')).toBeUndefined();
    expect(parseArn('arn:aws:sqs:us-east-1:123:q')).toBeUndefined();
    expect(parseArn('https://sqs.us-east-1.amazonaws.com/123456789012/q')).toBeUndefined();
  });

  it("names the stream of an event source mapping's stream ARN, and leaves what names no stream as it is", () => {
    expect(streamNameOf('arn:aws:kinesis:us-east-1:123456789012:stream/in/consumer/c:1700000000')).toBe('in');
    expect(streamNameOf('arn:aws:kinesis:us-east-1:123456789012:stream/')).toBe(
      'arn:aws:kinesis:us-east-1:123456789012:stream/',
    );
  });
});
