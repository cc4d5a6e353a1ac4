/**
 * The chaos run at CI size: every fault, a fixed seed, the real local pipeline. Nothing may be missing and
 * every duplicate must come from a deliver-then-die window the injector opened (lib/chaos/log.ts).
 */
import { describe, expect, it } from 'vitest';
import { sqsFaults } from '../../lib/chaos/aws-faults.js';
import { FAULTS } from '../../lib/chaos/plan.js';
import { seededRandom } from '../../lib/chaos/prng.js';
import { recordIndexOf } from '../../lib/chaos/records.js';
import { runChaos } from '../../lib/chaos/run.js';

describe('chaos', () => {
  it('same seed, same fault decisions', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
    expect(recordIndexOf(Buffer.from('{"chaos":42}'))).toBe(42);
  });

  it('fails SendMessageBatch entries in Failed[] and forwards only the others', async () => {
    const forwarded: string[] = [];
    const handler = sqsFaults({ random: () => 0.5, throttleRate: () => 0, entryFailureRate: () => 0.6 });
    const answer = await handler(
      {
        method: 'POST',
        url: '/',
        headers: {},
        operation: 'AmazonSQS.SendMessageBatch',
        body: Buffer.from(JSON.stringify({ QueueUrl: 'q', Entries: [{ Id: '0' }, { Id: '1' }] })),
      },
      async (req) => {
        forwarded.push(req.body.toString());
        return { status: 200, headers: {}, body: Buffer.from('{"Successful":[]}') };
      },
    );
    expect(forwarded).toEqual([]);
    expect(JSON.parse(answer.body.toString()).Failed).toHaveLength(2);
  });

  // CI size: 300 records keep the run near a minute on a busy 2-core machine; `npm run chaos` runs 2,000.
  it('loses nothing under every fault (300 records, seed 1)', async () => {
    const report = await runChaos({ records: 300, targets: 3, faults: [...FAULTS], seed: 1 });
    for (const t of report.targets) {
      expect({ target: t.target, missing: t.missing, examples: t.examples.missing }).toEqual({
        target: t.target,
        missing: 0,
        examples: [],
      });
      expect({ target: t.target, unexplained: t.unexplainedDuplicates }).toEqual({
        target: t.target,
        unexplained: 0,
      });
    }
    expect(report.injected.dispatcherCrashes).toBeGreaterThan(0);
    expect(report.injected.workerCrashes).toBeGreaterThan(0);
  }, 240_000);
});
