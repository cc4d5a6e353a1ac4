import { describe, expect, it } from 'vitest';
import { parseSecretRef } from '../../lib/config/secret-ref.js';

describe('parseSecretRef', () => {
  it('reads SSM parameter names, with or without a leading slash, and parameter ARNs', () => {
    expect(parseSecretRef('ssm:/fanout/partner/signing')).toEqual({
      service: 'ssm',
      id: '/fanout/partner/signing',
    });
    expect(parseSecretRef('ssm:signing-key')).toEqual({ service: 'ssm', id: 'signing-key' });
    expect(parseSecretRef('ssm:arn:aws:ssm:eu-west-1:123456789012:parameter/shared/key')).toEqual({
      service: 'ssm',
      id: 'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/key',
      arn: { partition: 'aws', region: 'eu-west-1', account: '123456789012' },
    });
  });

  it('reads Secrets Manager names and ARNs', () => {
    expect(parseSecretRef('secretsmanager:prod/partner+hook')).toEqual({
      service: 'secretsmanager',
      id: 'prod/partner+hook',
    });
    expect(
      parseSecretRef('secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:partner-AbCdEf'),
    ).toMatchObject({ service: 'secretsmanager', arn: { region: 'us-east-1' } });
  });

  it('refuses other services, empty names, bad characters and ARNs of another service', () => {
    for (const text of [
      'vault:/a',
      'ssm:',
      'ssm:/a b',
      '/fanout/key',
      'secretsmanager:',
      'secretsmanager:a b',
      'secretsmanager:arn:aws:ssm:us-east-1:123456789012:parameter/a',
      'ssm:arn:aws:secretsmanager:us-east-1:123456789012:secret:a',
    ]) {
      expect(parseSecretRef(text), text).toBeUndefined();
    }
  });
});
