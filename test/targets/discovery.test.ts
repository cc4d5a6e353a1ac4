/** Discovery by naming convention: the cached list of matching streams, and ListStreams page by page. */
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createStreamDiscovery } from '../../lib/targets/discovery.js';
import { DiscoveryError } from '../../lib/targets/errors.js';
import { awsStreamLister } from '../../lib/targets/stream-lister.js';

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createStreamDiscovery', () => {
  it('lists once per refresh period, keeps the prefix’s streams (sorted) and leaves out the source', async () => {
    const time = clock();
    let listings = 0;
    const refreshed: Array<readonly string[]> = [];
    const discovery = createStreamDiscovery({
      list: async () => {
        listings++;
        return ['other', 'app-output-b', 'app-output-source', 'app-output-a'];
      },
      prefix: 'app-output-',
      refreshMs: 300_000,
      exclude: ['app-output-source'],
      now: time.now,
      onRefresh: (names) => refreshed.push(names),
    });
    expect(await discovery.streams()).toEqual({ names: ['app-output-a', 'app-output-b'] });
    time.advance(299_999);
    await discovery.streams();
    expect(listings).toBe(1);
    time.advance(1);
    await discovery.streams();
    expect(listings).toBe(2);
    expect(refreshed).toHaveLength(2);
  });

  it('lists once for callers that come while a listing runs', async () => {
    let listings = 0;
    let release: () => void = () => {};
    const discovery = createStreamDiscovery({
      list: () =>
        new Promise((resolve) => {
          listings++;
          release = () => resolve(['app-output-a']);
        }),
      prefix: 'app-output-',
      refreshMs: 1_000,
    });
    const both = Promise.all([discovery.streams(), discovery.streams()]);
    release();
    expect(await both).toEqual([{ names: ['app-output-a'] }, { names: ['app-output-a'] }]);
    expect(listings).toBe(1);
  });

  it('keeps the last list when a refresh fails, says so, and tries again 30 s later', async () => {
    const time = clock();
    const answers: Array<string[] | Error> = [
      ['app-output-a'],
      new Error('ListStreams: throttled'),
      ['app-output-a', 'app-output-b'],
    ];
    let listings = 0;
    const discovery = createStreamDiscovery({
      list: async () => {
        const answer = answers[listings++]!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      prefix: 'app-output-',
      refreshMs: 300_000,
      now: time.now,
    });
    await discovery.streams();
    time.advance(300_000);
    expect(await discovery.streams()).toEqual({ names: ['app-output-a'], stale: 'ListStreams: throttled' });
    time.advance(29_999);
    expect((await discovery.streams()).names).toEqual(['app-output-a']);
    expect(listings).toBe(2);
    time.advance(1);
    expect(await discovery.streams()).toEqual({ names: ['app-output-a', 'app-output-b'] });
  });

  it('throws a DiscoveryError when the first listing fails, and lists again on the next call', async () => {
    let listings = 0;
    const discovery = createStreamDiscovery({
      list: async () => {
        if (listings++ === 0) throw new Error('AccessDenied');
        return ['app-output-a'];
      },
      prefix: 'app-output-',
      refreshMs: 300_000,
    });
    await expect(discovery.streams()).rejects.toBeInstanceOf(DiscoveryError);
    expect((await discovery.streams()).names).toEqual(['app-output-a']);
  });
});

describe('awsStreamLister', () => {
  it('follows HasMoreStreams from the last name of each page', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis
      .on(ListStreamsCommand, { Limit: 100 })
      .resolves({ StreamNames: ['a', 'b'], HasMoreStreams: true })
      .on(ListStreamsCommand, { Limit: 100, ExclusiveStartStreamName: 'b' })
      .resolves({ StreamNames: ['c'], HasMoreStreams: false });
    const names = await awsStreamLister(new KinesisClient({ region: 'us-east-1' }))();
    expect(names).toEqual(['a', 'b', 'c']);
    expect(
      kinesis.commandCalls(ListStreamsCommand).map((c) => c.args[0].input.ExclusiveStartStreamName),
    ).toEqual([undefined, 'b']);
    kinesis.restore();
  });

  it('turns an SDK error into a DiscoveryError that names it', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis
      .on(ListStreamsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' }));
    await expect(awsStreamLister(new KinesisClient({ region: 'us-east-1' }))()).rejects.toThrow(
      /ListStreams: LimitExceededException: Rate exceeded/,
    );
    kinesis.restore();
  });
});
