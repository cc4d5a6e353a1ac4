import { describe, expect, it } from 'vitest';
import { regionOf } from '../../lib/targets/destination.js';

describe('destinations', () => {
  it('finds the region of an ARN or an AWS queue URL, and none of a name or a local URL', () => {
    expect(regionOf('arn:aws:kinesis:ap-south-1:123456789012:stream/s')).toBe('ap-south-1');
    expect(regionOf('https://sqs.eu-north-1.amazonaws.com/123456789012/q')).toBe('eu-north-1');
    expect(regionOf('https://us-west-1.queue.amazonaws.com/123456789012/q')).toBe('us-west-1');
    expect(regionOf('http://127.0.0.1:4566/000000000000/q')).toBeUndefined();
    expect(regionOf('consumer')).toBeUndefined();
    expect(regionOf('arn:aws:events:::event-bus/default')).toBeUndefined();
  });
});
