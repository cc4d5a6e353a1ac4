import { describe, expect, it } from 'vitest';
import { TARGET_TYPES, type TargetType } from '../../lib/config/index.js';
import { UnknownTargetTypeError } from '../../lib/targets/errors.js';
import { ADAPTER_FACTORIES, createAdapter } from '../../lib/targets/registry.js';
import { adapterContextFactory } from './factories.js';

const destinations: Record<TargetType, string> = {
  kinesis: 'copy',
  sqs: 'queue',
  sns: 'arn:aws:sns:us-east-1:123456789012:topic',
  firehose: 'hose',
  eventbridge: 'bus',
  lambda: 'consumer',
  http: 'https://example.com/hook',
};

describe('adapter registry', () => {
  it('has a factory for every target type, building an adapter of that type', () => {
    expect(Object.keys(ADAPTER_FACTORIES).sort()).toEqual([...TARGET_TYPES].sort());
    for (const type of TARGET_TYPES) {
      const adapter = createAdapter(adapterContextFactory({ type, destination: destinations[type] }));
      expect(adapter.type).toBe(type);
      expect(adapter.limits.maxRecords).toBeGreaterThan(0);
    }
  });

  it('refuses an unknown type with a typed error naming the target and the known types', () => {
    const context = adapterContextFactory({ type: 'smtp' as TargetType, name: 'mailer' });
    expect(() => createAdapter(context)).toThrow(UnknownTargetTypeError);
    expect(() => createAdapter(context)).toThrow(
      'target "mailer": unknown target type "smtp"; expected one of kinesis, sqs',
    );
    expect(() => createAdapter(adapterContextFactory({ type: 'toString' as TargetType }))).toThrow(
      UnknownTargetTypeError,
    );
  });
});
