import { afterEach, describe, expect, it, vi } from 'vitest';
import { configFactory, kinesisEventFactory } from '../../harness/support/factories.js';
import type { FanoutConfigInput } from '../../lib/config/index.js';
import { createRouter, decodeBatch } from '../../lib/dispatch/index.js';
import { PatternError } from '../../lib/routing/index.js';

type TargetInput = FanoutConfigInput['targets'][number];
const target = (name: string, extra: Partial<TargetInput> = {}): TargetInput => ({
  name,
  type: 'kinesis',
  destination: name,
  ...extra,
});

/** Records `{"level": ..., "n": i}`, every third one an ERROR, and record 4 not JSON. */
const records = () =>
  decodeBatch(
    kinesisEventFactory(10, (i) =>
      i === 4 ? 'not json' : `{"level":"${i % 3 === 0 ? 'ERROR' : 'INFO'}","n":${i}}`,
    ).Records,
  ).records;
const ns = (list: ReturnType<typeof records> | undefined) =>
  (list ?? []).map((r) => JSON.parse(Buffer.from(r.data, 'base64').toString()).n as number);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createRouter', () => {
  it('without filters, gives every enabled target the batch itself and parses nothing', () => {
    const config = configFactory({ targets: [target('a'), target('b'), target('off', { enabled: false })] });
    const route = createRouter(config.targets);
    const batch = records();
    const parse = vi.spyOn(JSON, 'parse');
    const { routes, unrouted, notJson } = route(batch);
    expect(parse).not.toHaveBeenCalled();
    expect([...routes.keys()].map((t) => t.name)).toEqual(['a', 'b']);
    expect([...routes.values()].every((list) => list === batch)).toBe(true);
    expect({ unrouted, notJson }).toEqual({ unrouted: 0, notJson: 0 });
  });

  it('parses each record once whatever the number of filters, and routes by content', () => {
    const config = configFactory({
      targets: [
        target('errors', { filter: { level: ['ERROR'] } }),
        target('big', { filter: { n: [{ numeric: ['>=', 6] }] } }),
        target('info', { filter: { level: [{ 'anything-but': 'ERROR' }] } }),
        target('all'),
      ],
    });
    const route = createRouter(config.targets);
    const batch = records();
    const parse = vi.spyOn(JSON, 'parse');
    const { routes, unrouted, notJson } = route(batch);
    expect(parse).toHaveBeenCalledTimes(batch.length);
    const byName = new Map([...routes].map(([t, list]) => [t.name, list]));
    expect(ns(byName.get('errors'))).toEqual([0, 3, 6, 9]);
    expect(ns(byName.get('big'))).toEqual([6, 7, 8, 9]);
    expect(ns(byName.get('info'))).toEqual([1, 2, 5, 7, 8]);
    // The record that is not JSON matches no filter but still goes to the unfiltered target.
    expect(byName.get('all')).toBe(batch);
    expect({ unrouted, notJson }).toEqual({ unrouted: 0, notJson: 1 });
  });

  it('counts the records no target takes, and leaves out targets that match nothing', () => {
    const config = configFactory({
      targets: [
        target('errors', { filter: { level: ['ERROR'] } }),
        target('none', { filter: { level: ['DEBUG'] } }),
      ],
    });
    const { routes, unrouted, notJson } = createRouter(config.targets)(records());
    expect([...routes.keys()].map((t) => t.name)).toEqual(['errors']);
    // 10 records: 4 ERROR routed, 5 INFO and the one that is not JSON unrouted.
    expect({ unrouted, notJson }).toEqual({ unrouted: 6, notJson: 1 });
  });

  it('ignores the filter of a disabled target', () => {
    const config = configFactory({
      targets: [target('a'), target('off', { enabled: false, filter: { level: ['ERROR'] } })],
    });
    const parse = vi.spyOn(JSON, 'parse');
    const { routes } = createRouter(config.targets)(records());
    expect(parse).not.toHaveBeenCalled();
    expect([...routes.keys()].map((t) => t.name)).toEqual(['a']);
  });

  it('compiles filters when it is built (a pattern that skipped validation fails there, not per record)', () => {
    const config = configFactory({ targets: [target('a', { filter: { level: ['ERROR'] } })] });
    const broken = config.targets.map((t) => ({ ...t, filter: { level: 'ERROR' } as never }));
    expect(() => createRouter(broken)).toThrow(PatternError);
  });
});
