import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../../lib/config/suggest.js';

describe('closestName', () => {
  const target = ['name', 'type', 'destination', 'via', 'concurrency', 'retries', 'batchSize', 'timeout'];

  it('suggests the known name one or two edits away (a missing letter, a swap, another case)', () => {
    expect(closestName('concurency', target)).toBe('concurrency');
    expect(closestName('retires', target)).toBe('retries');
    expect(closestName('batchsize', target)).toBe('batchSize');
    expect(closestName('destinaton', target)).toBe('destination');
    expect(closestName('vai', target)).toBe('via');
  });

  it('suggests nothing for a name that is not close to any', () => {
    expect(closestName('colour', target)).toBeUndefined();
    expect(closestName('x', target)).toBeUndefined();
    expect(closestName('allowInsecure', target)).toBeUndefined();
  });

  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('retires', 'retries')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
