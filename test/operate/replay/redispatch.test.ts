/** Re-dispatch for `fanout replay --source`: a dry run only routes, whatever the dispatcher would need. */
import { describe, expect, it, vi } from 'vitest';
import { configFactory, kinesisEventFactory } from '../../../harness/support/factories.js';
import { naming } from '../../../lib/config/naming.js';
import type { HandoffPort } from '../../../lib/handoff/types.js';
import { targetDispatcher } from '../../../lib/operate/replay/redispatch.js';

describe('targetDispatcher', () => {
  it('counts what a dry run would route without building the dispatcher (a claim check needs a store)', async () => {
    const config = configFactory({ claimCheck: { expireDays: 3 } });
    const handoff: HandoffPort = { invokeAsync: vi.fn(), sendBatch: vi.fn(), queueUrl: vi.fn() };
    const dispatch = targetDispatcher(config, naming('fanout', 'dev'), config.targets[0]!, handoff);
    const { Records } = kinesisEventFactory(4);
    expect(await dispatch(Records, true)).toEqual({
      counts: { routed: 4, handedOff: 0, failed: 0 },
      failed: false,
    });
    expect(handoff.invokeAsync).not.toHaveBeenCalled();
  });
});
