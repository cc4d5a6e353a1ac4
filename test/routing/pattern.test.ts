import { describe, expect, it } from 'vitest';
import { compilePattern, PatternError, patternProblems } from '../../lib/routing/index.js';

/** The EventBridge documentation's sample event, as a record's JSON data. */
const ec2 = {
  source: 'aws.ec2',
  'detail-type': 'EC2 Instance State-change Notification',
  resources: [
    'arn:aws:ec2:us-east-1:123456789012:instance/i-0a',
    'arn:aws:ec2:us-east-1:123456789012:volume/v-1',
  ],
  detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, state: 'running', flag: false, none: null },
};

const matches = (pattern: unknown, data: unknown = ec2): boolean => compilePattern(pattern)(data);

describe('compilePattern', () => {
  it.each([
    ['an exact value', { source: ['aws.ec2'] }, true],
    ['one of several values (a list is an OR)', { detail: { state: ['pending', 'running'] } }, true],
    ['no listed value', { detail: { state: ['stopped'] } }, false],
    ['a value in a list of the record (lists intersect)', { resources: [{ suffix: '/v-1' }] }, true],
    ['a number by value', { detail: { 'c-count': [5.0] } }, true],
    ['a number, not its text', { detail: { 'c-count': ['5'] } }, false],
    ['a boolean', { detail: { flag: [false] } }, true],
    ['null (a present null)', { detail: { none: [null] } }, true],
    ['null for a missing field', { detail: { gone: [null] } }, false],
    ['a prefix', { source: [{ prefix: 'aws.' }] }, true],
    ['a prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
    ['a suffix', { source: [{ suffix: '.ec2' }] }, true],
    ['a suffix ignoring case', { source: [{ suffix: { 'equals-ignore-case': '.EC2' } }] }, true],
    ['a prefix only on strings', { detail: { 'c-count': [{ prefix: '5' }] } }, false],
    ['equals-ignore-case', { detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } }, true],
    ['a numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    ['outside a numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } }, false],
    ['numeric equality', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, true],
    ['numeric only on numbers', { detail: { state: [{ numeric: ['>=', 0] }] } }, false],
    ['exists: true', { detail: { 'c-count': [{ exists: true }] } }, true],
    ['exists: true, missing', { detail: { 'e-count': [{ exists: true }] } }, false],
    ['exists: false, missing', { detail: { 'e-count': [{ exists: false }] } }, true],
    ['exists: false under a missing parent', { nothing: { here: [{ exists: false }] } }, true],
    ['exists on a non-leaf (an object is no leaf)', { detail: [{ exists: true }] }, false],
    ['anything-but a value', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
    ['anything-but the value itself', { detail: { state: [{ 'anything-but': 'running' }] } }, false],
    ['anything-but a list of numbers', { detail: { 'x-limit': [{ 'anything-but': [100, 200] }] } }, true],
    ['anything-but a prefix', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, false],
    ['anything-but a suffix', { source: [{ 'anything-but': { suffix: '.s3' } }] }, true],
    [
      'anything-but ignoring case',
      { source: [{ 'anything-but': { 'equals-ignore-case': ['AWS.EC2'] } }] },
      false,
    ],
    ['anything-but on a missing field', { detail: { gone: [{ 'anything-but': 'x' }] } }, false],
    ['all fields (AND)', { source: ['aws.ec2'], detail: { state: ['stopped'] } }, false],
    ['$or of fields', { $or: [{ source: ['aws.s3'] }, { detail: { state: ['running'] } }] }, true],
    ['$or, none matching', { $or: [{ source: ['aws.s3'] }, { detail: { state: ['stopped'] } }] }, false],
    ['$or nested under a field', { detail: { $or: [{ 'c-count': [1] }, { 'd-count': [3] }] } }, true],
    ['a list of patterns (OR)', [{ source: ['aws.s3'] }, { source: ['aws.ec2'] }], true],
    ['a value or a matcher in one list', { source: ['aws.s3', { prefix: 'aws.e' }] }, true],
  ])('matches %s: %j', (_what, pattern, expected) => {
    expect(matches(pattern)).toBe(expected);
  });

  it('matches a nested pattern against any object of a list in the record', () => {
    const order = {
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 9 },
      ],
    };
    expect(matches({ items: { sku: ['b'], qty: [{ numeric: ['>', 5] }] } }, order)).toBe(true);
    // Both fields must hold in the same element, not across elements.
    expect(matches({ items: { sku: ['a'], qty: [{ numeric: ['>', 5] }] } }, order)).toBe(false);
  });

  it('finds no fields in JSON that is not an object', () => {
    expect(matches({ a: ['x'] }, 'x')).toBe(false);
    expect(matches({ a: [{ exists: false }] }, [1, 2])).toBe(true);
  });

  it('reads only own fields (no prototype lookups)', () => {
    expect(matches({ constructor: [{ exists: true }] }, {})).toBe(false);
    const proto = JSON.parse('{"__proto__":[{"exists":true}]}') as unknown;
    expect(matches(proto, { a: 1 })).toBe(false);
    expect(matches(proto, JSON.parse('{"__proto__":1}'))).toBe(true);
  });

  it('throws a PatternError naming every bad part, with its path', () => {
    const bad = {
      level: 'ERROR',
      detail: { ms: [{ numeric: ['>', 'x'] }, { prefx: 'a' }, [1]] },
      $or: 'x',
      empty: [],
    };
    expect(() => compilePattern(bad)).toThrow(PatternError);
    expect(patternProblems(bad).map((p) => p.path)).toEqual([
      ['level'],
      ['detail', 'ms', 0, 'numeric'],
      ['detail', 'ms', 1],
      ['detail', 'ms', 2],
      ['$or'],
      ['empty'],
    ]);
  });

  it.each([
    [{}, 'must test at least one field'],
    [[], 'must list at least one pattern'],
    ['x', 'is not a pattern'],
    [{ a: ['x'], $or: [] }, 'expected a list of patterns'],
    [{ a: [{ numeric: ['<', 5, '>', 1] }] }, 'lower bound first'],
    [{ a: [{ numeric: ['=', 1, '<', 2] }] }, 'lower bound first'],
    [{ a: [{ numeric: ['~', 1] }] }, 'op one of'],
    [{ a: [{ exists: 'yes' }] }, 'true or false'],
    [{ a: [{ prefix: 5 }] }, 'a string or {"equals-ignore-case"'],
    [{ a: [{ 'anything-but': [] }] }, 'a non-empty list'],
    [{ a: [{ 'anything-but': { wildcard: '*' } }] }, '{"prefix": "..."}'],
    [{ a: [{ prefix: 'x', suffix: 'y' }] }, 'is not a matcher'],
    [{ a: [{ cidr: '10.0.0.0/8' }] }, 'is not a matcher'],
  ])('rejects %j (%s)', (pattern, message) => {
    const problems = patternProblems(pattern);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.message).join('\n')).toContain(message);
  });
});
