import { describe, expect, it } from 'vitest';
import { compileTransform, TransformError, transformProblems } from '../../lib/routing/index.js';

const record = {
  log: 'disk full',
  level: 'ERROR',
  detail: { user: { id: 42, name: 'ada' }, tags: ['a', 'b'], 'odd key': true },
};
const data = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

function run(spec: unknown, input: Buffer = data(record)): unknown {
  const result = compileTransform(spec, 'audit')(input);
  if (!result.ok) throw new Error(result.reason);
  return result.data.toString();
}

describe('compileTransform', () => {
  it('projects and renames fields, like SELECT "log" AS LOG', () => {
    expect(run({ LOG: '$.log', user: '$.detail.user.id', const: 'literal' })).toBe(
      '{"LOG":"disk full","user":42,"const":"literal"}',
    );
  });

  it('reads list elements and quoted names, and copies objects and lists whole', () => {
    expect(run({ first: '$.detail.tags[1]', odd: "$.detail['odd key']", user: '$.detail.user' })).toBe(
      '{"first":"b","odd":true,"user":{"id":42,"name":"ada"}}',
    );
  });

  it('builds nested objects and keeps literals of every JSON type', () => {
    expect(run({ who: { id: '$.detail.user.id', kind: 'user' }, n: 1, ok: false, none: null })).toBe(
      '{"who":{"id":42,"kind":"user"},"n":1,"ok":false,"none":null}',
    );
  });

  it('omits a field whose path is missing', () => {
    expect(run({ LOG: '$.log', gone: '$.detail.nothing.here', index: '$.detail.tags[5]' })).toBe(
      '{"LOG":"disk full"}',
    );
  });

  it('writes "$$..." as the literal text "$..."', () => {
    expect(run({ price: '$$5' })).toBe('{"price":"$5"}');
  });

  it('selects one value with a top-level path: a string as its text, anything else as JSON', () => {
    expect(run('$.log')).toBe('disk full');
    expect(run('$.detail.user')).toBe('{"id":42,"name":"ada"}');
    expect(run('$')).toBe(JSON.stringify(record));
  });

  it('fails a record that is not JSON, with the reason, and a top-level path that is missing', () => {
    const transform = compileTransform({ LOG: '$.log' }, 'audit');
    expect(transform(Buffer.from('plain text'))).toEqual({
      ok: false,
      reason: 'record data is not JSON (target "audit" has a transform)',
    });
    expect(compileTransform('$.nothing', 'audit')(data(record))).toEqual({
      ok: false,
      reason: 'record has no $.nothing (target "audit" has the transform $.nothing)',
    });
  });

  it('reads own fields only and writes "__proto__" as a plain field', () => {
    expect(run({ c: '$.constructor', n: '$.detail.tags.length' })).toBe('{}');
    expect(run(JSON.parse('{"__proto__":"$.log"}'))).toBe('{"__proto__":"disk full"}');
  });

  it('throws a TransformError naming every bad part', () => {
    expect(() => compileTransform({ LOG: '$log' }, 'audit')).toThrow(TransformError);
    expect(transformProblems({ a: '$log', b: [1], c: { d: '$.x[' }, e: '$.ok' })).toEqual([
      { path: ['a'], message: expect.stringContaining('"$log" is not a path') },
      { path: ['b'], message: expect.stringContaining('lists are not built by a transform') },
      { path: ['c', 'd'], message: expect.stringContaining('"$.x[" is not a path') },
    ]);
  });

  it.each([[5], [null], [[]], [{}], ['literal']])('rejects %j as a whole transform', (spec) => {
    expect(transformProblems(spec)).toHaveLength(1);
  });
});
