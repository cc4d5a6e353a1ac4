import { describe, expect, it } from 'vitest';
import { AWS_RESOURCES, nameOrArnPattern } from '../../lib/aws/names.js';

describe('AWS_RESOURCES', () => {
  it.each([
    ['stream', 'a.b_c-1', 'a/b'],
    ['queue', 'orders.fifo', 'orders.fif'],
    ['topic', 'alerts', 'alerts.'],
    ['deliveryStream', 'to-s3.v2', 'to s3'],
    ['eventBus', 'aws.partner/vendor/bus', 'bus:1'],
    ['function', 'my-fn:live', 'my-fn:a:b'],
  ] as const)('a %s name: takes %s, refuses %s', (kind, good, bad) => {
    const { pattern } = AWS_RESOURCES[kind].name;
    expect(pattern.test(good)).toBe(true);
    expect(pattern.test(bad)).toBe(false);
  });

  it('bounds each name by the length its words state', () => {
    for (const { name } of Object.values(AWS_RESOURCES)) {
      const max = Number(/1-(\d+) characters/.exec(name.words)?.[1]);
      expect(name.pattern.test('a'.repeat(max))).toBe(true);
      expect(name.pattern.test('a'.repeat(max + 1))).toBe(false);
    }
  });

  it('counts .fifo in a queue name, and not a function qualifier in a function name', () => {
    expect(AWS_RESOURCES.queue.name.pattern.test(`${'q'.repeat(75)}.fifo`)).toBe(true);
    expect(AWS_RESOURCES.queue.name.pattern.test(`${'q'.repeat(76)}.fifo`)).toBe(false);
    expect(AWS_RESOURCES.function.name.pattern.test(`${'f'.repeat(64)}:${'7'.repeat(128)}`)).toBe(true);
  });

  it('says what it checks', () => {
    expect(AWS_RESOURCES.stream.name.words).toBe('a stream name ([A-Za-z0-9_.-], 1-128 characters)');
    expect(AWS_RESOURCES.queue.name.words).toBe(
      'a queue name ([A-Za-z0-9_-], 1-80 characters, optional .fifo)',
    );
  });
});

describe('nameOrArnPattern', () => {
  const stream = nameOrArnPattern(AWS_RESOURCES.stream);

  it('takes a name, or an ARN of the service with the resource prefix, in any partition', () => {
    expect(stream.test('input')).toBe(true);
    expect(stream.test('arn:aws:kinesis:eu-west-1:123456789012:stream/input')).toBe(true);
    expect(stream.test('arn:aws-cn:kinesis:cn-north-1:123456789012:stream/input')).toBe(true);
  });

  it('refuses an ARN of another service or resource, and a name the name rule refuses', () => {
    expect(stream.test('arn:aws:sqs:eu-west-1:123456789012:input')).toBe(false);
    expect(stream.test('arn:aws:kinesis:eu-west-1:123456789012:table/input')).toBe(false);
    expect(stream.test(`arn:aws:kinesis:eu-west-1:123456789012:stream/${'s'.repeat(129)}`)).toBe(false);
    expect(stream.test('in put')).toBe(false);
  });
});
