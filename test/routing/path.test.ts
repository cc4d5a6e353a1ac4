import { describe, expect, it } from 'vitest';
import { parseJsonPath, readJsonPath } from '../../lib/routing/index.js';

describe('parseJsonPath', () => {
  it.each([
    ['$', []],
    ['$.log', ['log']],
    ['$.detail.user.id', ['detail', 'user', 'id']],
    ['$.a.b[0].c', ['a', 'b', 0, 'c']],
    ['$.detail-type', ['detail-type']],
    ["$['odd key'][2]", ['odd key', 2]],
    ['$["quote\\"d"]', ['quote"d']],
  ])('parses %s', (text, segments) => {
    expect(parseJsonPath(text)).toEqual(segments);
  });

  it.each(['log', '$log', '$.', '$.a[', '$.a[-1]', '$.a[*]', '$..a', '$.a[?(@.x)]', '$.a.b()'])(
    'refuses %s (no wildcards, filters or scripts)',
    (text) => {
      expect(typeof parseJsonPath(text)).toBe('string');
    },
  );
});

describe('readJsonPath', () => {
  const doc = { a: { b: [{ c: 1 }, null] }, n: 0 };

  it('reads through objects and lists', () => {
    expect(readJsonPath(doc, ['a', 'b', 0, 'c'])).toBe(1);
    expect(readJsonPath(doc, ['a', 'b', 1])).toBeNull();
    expect(readJsonPath(doc, ['n'])).toBe(0);
  });

  it('finds nothing where a part is missing or of the wrong kind', () => {
    expect(readJsonPath(doc, ['a', 'b', 2])).toBeUndefined();
    expect(readJsonPath(doc, ['a', 0])).toBeUndefined();
    expect(readJsonPath(doc, ['a', 'b', 'length'])).toBeUndefined();
    expect(readJsonPath(doc, ['n', 'x'])).toBeUndefined();
    expect(readJsonPath(doc, ['toString'])).toBeUndefined();
  });
});
