import { describe, expect, it } from 'vitest';
import { targetNamed } from '../../lib/config/target.js';

describe('targetNamed', () => {
  const config = { targets: [{ name: 'audit' }, { name: 'webhook' }] };

  it('finds the target of that name, and none for a name no target has', () => {
    expect(targetNamed(config, 'webhook')).toBe(config.targets[1]);
    expect(targetNamed(config, 'nope')).toBeUndefined();
    expect(targetNamed(config, '')).toBeUndefined();
  });
});
