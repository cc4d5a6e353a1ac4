/**
 * What stops `fanout local` and `npm run chaos`: the first of Ctrl-C, SIGTERM, SIGHUP or the parent going away,
 * with the exit code a shell reports for it. Signals are emitted on this process (its listeners run; nothing is
 * sent): vitest's worker has no listener of its own for them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { onStopRequest, type StopRequest } from '../../lib/cli/stop-request.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('stop requests', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s asks to stop with exit code %i, once', (signal, exitCode) => {
    const requests: StopRequest[] = [];
    const dispose = onStopRequest((r) => requests.push(r));
    process.emit(signal);
    for (const other of SIGNALS) process.emit(other);
    expect(requests).toEqual([{ why: signal, exitCode }]);
    dispose();
    expect(SIGNALS.map((s) => process.listenerCount(s))).toEqual([0, 0, 0]);
  });

  it('asks to stop with exit code 129 when the parent process goes away', () => {
    vi.useFakeTimers();
    const ppid = vi.spyOn(process, 'ppid', 'get').mockReturnValue(4242);
    const requests: StopRequest[] = [];
    const dispose = onStopRequest((r) => requests.push(r));
    vi.advanceTimersByTime(5_000);
    expect(requests).toEqual([]);
    // Re-parented (to init or a subreaper): the shell or npm that started it is gone.
    ppid.mockReturnValue(1);
    vi.advanceTimersByTime(1_000);
    vi.advanceTimersByTime(5_000);
    expect(requests).toEqual([{ why: 'its parent process went away', exitCode: 129 }]);
    dispose();
  });

  it('asks nothing once disposed', () => {
    const requests: StopRequest[] = [];
    onStopRequest((r) => requests.push(r))();
    for (const signal of SIGNALS) process.emit(signal);
    expect(requests).toEqual([]);
  });
});
