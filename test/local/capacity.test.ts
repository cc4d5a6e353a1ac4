import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load.js';
import { checkLocalCapacity, localTargetLimit, localWorkerCount } from '../../lib/local/capacity.js';

const withTargets = (n: number, extra: object[] = []) =>
  parseConfig({
    source: { stream: 'input' },
    targets: [
      ...Array.from({ length: n }, (_, i) => ({ name: `t${i}`, type: 'kinesis', destination: `out${i}` })),
      ...extra,
    ],
  });

describe('local target limit', () => {
  it('is bounded by cores (cold starts at once) and by half the memory at ~100 MB a worker container', () => {
    expect(localTargetLimit({ cores: 2, memoryMb: 24_000 })).toEqual({
      limit: 50,
      byMemory: 114,
      byCores: 50,
    });
    expect(localTargetLimit({ cores: 16, memoryMb: 8_192 })).toEqual({
      limit: 34,
      byMemory: 34,
      byCores: 400,
    });
    expect(localTargetLimit({ cores: 1, memoryMb: 512 }).limit).toBe(1);
  });

  it('counts the workers local mode runs: enabled targets of an emulated type only', () => {
    const config = withTargets(3, [
      { name: 'off', type: 'kinesis', destination: 'x', enabled: false },
      { name: 'hose', type: 'firehose', destination: 'h' },
    ]);
    expect(localWorkerCount(config)).toBe(3);
  });

  it('refuses 55 targets on a 2-core machine (a configuration may have 60), naming the limit and what bounds it', () => {
    expect(() => checkLocalCapacity(withTargets(55), { cores: 2, memoryMb: 24_000 })).toThrow(
      'local mode can run at most 50 targets on this machine and the configuration has 55 to run',
    );
    expect(() => checkLocalCapacity(withTargets(55), { cores: 2, memoryMb: 24_000 })).toThrow(
      /\(2 cores x 25 = 50; 23\.4 GB of memory, half of it for local mode, 114\)/,
    );
    expect(() => checkLocalCapacity(withTargets(50), { cores: 2, memoryMb: 24_000 })).not.toThrow();
  });
});
