/** The targets of a chaos run: kinds and hand-offs mixed, so every path of the design is under fault. */

/**
 * In the order targets are added: the default run (3 targets) has an ordered kinesis target (the default for
 * a stream: FIFO hand-off), an http target via a standard queue and one via async invoke; a 4th is a kinesis
 * target with `ordered: false` (async invoke), a 5th an http target that opts into order.
 */
const KINDS = [
  { type: 'kinesis', via: 'queue', ordered: true },
  { type: 'http', via: 'queue', ordered: false },
  { type: 'http', via: 'invoke', ordered: false },
  { type: 'kinesis', via: 'invoke', ordered: false },
  { type: 'http', via: 'queue', ordered: true },
] as const;

/** A chaos run sets target queues' visibility timeout to this many worker timeouts (run-setup.ts). */
export const QUEUE_VISIBILITY_FACTOR = 2;

export interface ChaosTargetSpec {
  config: {
    name: string;
    type: 'kinesis' | 'http';
    via: 'invoke' | 'queue';
    /** Set on every target, so the run does not depend on which types are ordered by default. */
    ordered: boolean;
    [key: string]: unknown;
  };
}

/** `count` targets cycling through {@link KINDS}: stream1-ordered, hook2-queue, hook3-invoke, stream4-invoke, ... */
export function chaosTargets(count: number, httpUrl: string): ChaosTargetSpec[] {
  return Array.from({ length: count }, (_, n) => {
    const kind = KINDS[n % KINDS.length] as (typeof KINDS)[number];
    const name = `${kind.type === 'kinesis' ? 'stream' : 'hook'}${n + 1}-${kind.ordered ? 'ordered' : kind.via}`;
    const common = { name, type: kind.type, via: kind.via, ordered: kind.ordered };
    const destination =
      kind.type === 'kinesis'
        ? { destination: name }
        : { destination: `https://example.com/${name}`, local: { destination: `${httpUrl}/${name}` } };
    // A 10 s timeout: the worker stops new calls 1 s before it (lib/delivery/worker.ts), so on a busy machine
    // Lambda's timeout does not strike between a delivery and its bookkeeping; it is also how long a dead
    // worker's leases last. Queue targets: visibility 2 x the timeout (run-setup.ts), 5 receives before the
    // DLQ. Invoke targets: Lambda's 2 async retries.
    const hand =
      kind.via === 'queue'
        ? { concurrency: 4, retries: 5, timeout: 10, batchSize: 10 }
        : { concurrency: 4, retries: 2, timeout: 10 };
    return { config: { ...common, ...destination, ...hand } };
  });
}
