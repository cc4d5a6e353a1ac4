import { describe, expect, it } from 'vitest';
import { chunkBySize } from '../../lib/envelope/chunk.js';

const sizes = (chunks: string[][]): number[][] => chunks.map((c) => c.map((s) => s.length));

describe('chunkBySize', () => {
  it('fills a chunk up to exactly maxBytes, counting overhead and separators', () => {
    // overhead 2 + 3 + 1 + 3 + 1 + 3 = 13 fits 13; a fourth item would need 17.
    const items = ['aaa', 'bbb', 'ccc', 'ddd'];
    const { chunks } = chunkBySize(items, (s) => s.length, {
      maxItems: 100,
      maxBytes: 13,
      overhead: 2,
      separator: 1,
    });
    expect(chunks).toEqual([['aaa', 'bbb', 'ccc'], ['ddd']]);
  });

  it('closes a chunk one byte before it would overflow', () => {
    const { chunks } = chunkBySize(['aaa', 'bbb', 'ccc'], (s) => s.length, {
      maxItems: 100,
      maxBytes: 12,
      overhead: 2,
      separator: 1,
    });
    expect(sizes(chunks)).toEqual([[3, 3], [3]]);
  });

  it('respects the item count limit', () => {
    const items = Array.from({ length: 25 }, () => 'x');
    const { chunks } = chunkBySize(items, () => 1, { maxItems: 10, maxBytes: 1_000 });
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 5]);
  });

  it('sets aside items that cannot fit alone, keeping the order of the rest', () => {
    const { chunks, oversize } = chunkBySize(['a', 'huge-item', 'b'], (s) => s.length, {
      maxItems: 10,
      maxBytes: 6,
      overhead: 1,
    });
    expect(oversize).toEqual(['huge-item']);
    expect(chunks).toEqual([['a', 'b']]);
  });

  it('accepts an item exactly at the limit and returns nothing for nothing', () => {
    expect(chunkBySize(['12345'], (s) => s.length, { maxItems: 1, maxBytes: 6, overhead: 1 }).chunks).toEqual(
      [['12345']],
    );
    expect(chunkBySize([], () => 1, { maxItems: 1, maxBytes: 1 })).toEqual({ chunks: [], oversize: [] });
  });
});
