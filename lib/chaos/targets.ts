/** The targets of a chaos run: kinds and hand-offs mixed, so every path of the design is under fault. */

const KINDS = [
  { type: 'kinesis', via: 'invoke' },
  { type: 'http', via: 'queue' },
  { type: 'http', via: 'invoke' },
  { type: 'kinesis', via: 'queue' },
] as const;

export interface ChaosTargetSpec {
  config: {
    name: string;
    type: 'kinesis' | 'http';
    via: 'invoke' | 'queue';
    [key: string]: unknown;
  };
}

/** `count` targets cycling through kinesis/invoke, http/queue, http/invoke, kinesis/queue. */
export function chaosTargets(count: number, httpUrl: string): ChaosTargetSpec[] {
  return Array.from({ length: count }, (_, n) => {
    const kind = KINDS[n % KINDS.length] as (typeof KINDS)[number];
    const name = `${kind.type === 'kinesis' ? 'stream' : 'hook'}${n + 1}-${kind.via}`;
    const common = { name, type: kind.type, via: kind.via };
    const destination =
      kind.type === 'kinesis'
        ? { destination: name }
        : { destination: `https://example.com/${name}`, local: { destination: `${httpUrl}/${name}` } };
    // Queue targets: a 3 s timeout keeps the visibility timeout (6 x) at 18 s, so a failed message comes back
    // soon; 5 retries before the DLQ. Invoke targets: Lambda's 2 async retries.
    const hand =
      kind.via === 'queue'
        ? { concurrency: 4, retries: 5, timeout: 3, batchSize: 10 }
        : { concurrency: 4, retries: 2, timeout: 30 };
    return { config: { ...common, ...destination, ...hand } };
  });
}
