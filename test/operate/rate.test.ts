import { describe, expect, it } from 'vitest';
import { rateLimiter } from '../../lib/operate/rate.js';

/** A clock that only moves when something sleeps. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

describe('rateLimiter', () => {
  it('spaces calls evenly at the rate, without a burst', async () => {
    const clock = fakeClock();
    const limiter = rateLimiter(4, clock);
    for (let i = 0; i < 5; i++) await limiter.wait();
    expect(clock.sleeps).toEqual([250, 250, 250, 250]);
  });

  it('hands out slots in order to concurrent callers', async () => {
    // All three ask at the same instant: each reserves the next slot before anyone has slept.
    const sleeps: number[] = [];
    const limiter = rateLimiter(10, { now: () => 0, sleep: async (ms) => void sleeps.push(ms) });
    await Promise.all([limiter.wait(), limiter.wait(), limiter.wait()]);
    expect(sleeps).toEqual([100, 200]);
  });

  it('does not wait without a rate', async () => {
    const clock = fakeClock();
    const limiter = rateLimiter(undefined, clock);
    await Promise.all([limiter.wait(), limiter.wait()]);
    expect(clock.sleeps).toEqual([]);
  });
});
