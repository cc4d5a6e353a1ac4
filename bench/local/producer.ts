import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

/** Kinesis PutRecords takes at most 500 records a call. */
const PUT_RECORDS_MAX = 500;
/**
 * How often the producer puts the records that are due: 100 ms, the KPL's default RecordMaxBufferedTime. At 20 ms
 * the producer alone cost ~80 ms of CPU per 1,000 records and kinesalite ~100 (5 small calls where 1 does), which
 * the pipeline it measures then lacked; at 100 ms, ~25 and ~75.
 */
const TICK_MS = 100;
/** PutRecords calls in flight at once; past that the producer falls behind its rate and says so. */
const MAX_IN_FLIGHT = 4;

/**
 * Every record the bench put, by number: when its PutRecords call was sent (epoch ms). A record's data carries
 * its number (`"i":N`), so each destination's copy is matched to its put time by content.
 */
export class PutLedger {
  readonly #putAt: number[] = [];

  get size(): number {
    return this.#putAt.length;
  }

  /** Reserves the next record number and stamps it. */
  next(now: number): number {
    this.#putAt.push(now);
    return this.#putAt.length - 1;
  }

  putAt(i: number): number | undefined {
    return this.#putAt[i];
  }
}

/** A record of about `bytes` bytes of JSON that names its number. */
export function benchRecord(i: number, bytes: number): string {
  const head = `{"i":${i},"log":"Record ${i} `;
  return `${head}${'x'.repeat(Math.max(0, bytes - head.length - 2))}"}`;
}

/** The number a record carries, from its data (undefined for data the bench did not put). */
export function recordNumber(data: Uint8Array | string): number | undefined {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  const match = /^\{"i":(\d+),/.exec(text);
  return match ? Number(match[1]) : undefined;
}

export interface SteadyRun {
  /** Record numbers first .. first + count - 1. */
  first: number;
  count: number;
  startedAt: number;
  /** When the last PutRecords call was acknowledged. */
  endedAt: number;
  /** Records put per second, achieved (count over startedAt .. endedAt). */
  achievedRate: number;
  /** Entries Kinesis refused and the producer put again. */
  retried: number;
  /** Largest shortfall against the schedule, in records (0: the producer kept its rate). */
  maxBehind: number;
}

/**
 * Puts `rate` records a second for `seconds` with PutRecords (the way `fanout produce` does, but stamping each
 * record's put time in the ledger), spreading them over ticks of 100 ms (one PutRecords of 200 at 2,000/s), retrying refused entries.
 */
export async function produceSteadily(
  kinesis: KinesisClient,
  stream: string,
  ledger: PutLedger,
  options: {
    rate: number;
    seconds: number;
    recordBytes: number;
    /** The partition key of record i (default `key-<i>`: every record a key of its own). */
    partitionKey?: (i: number) => string;
  },
): Promise<SteadyRun> {
  const partitionKey = options.partitionKey ?? ((i: number) => `key-${i}`);
  const first = ledger.size;
  const total = Math.round(options.rate * options.seconds);
  const startedAt = Date.now();
  let issued = 0;
  let inFlight = 0;
  let retried = 0;
  let maxBehind = 0;
  let failure: unknown;
  const calls = new Set<Promise<void>>();
  const put = async (entries: PutRecordsRequestEntry[]): Promise<void> => {
    for (let attempt = 0; entries.length > 0; attempt++) {
      if (attempt >= 10) throw new Error(`PutRecords: ${entries.length} records refused 10 times`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * attempt));
      const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
      entries = entries.filter((_, k) => out.Records?.[k]?.ErrorCode);
      retried += entries.length;
    }
  };
  while (issued < total && failure === undefined) {
    const due = Math.min(total, Math.floor((options.rate * (Date.now() - startedAt)) / 1000));
    while (issued < due && inFlight < MAX_IN_FLIGHT) {
      const n = Math.min(PUT_RECORDS_MAX, due - issued);
      const now = Date.now();
      const entries: PutRecordsRequestEntry[] = [];
      for (let k = 0; k < n; k++) {
        const i = ledger.next(now);
        entries.push({
          Data: Buffer.from(benchRecord(i, options.recordBytes)),
          PartitionKey: partitionKey(i),
        });
      }
      issued += n;
      inFlight++;
      const call: Promise<void> = put(entries)
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => {
          inFlight--;
          calls.delete(call);
        });
      calls.add(call);
    }
    maxBehind = Math.max(maxBehind, due - issued);
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await Promise.all(calls);
  if (failure !== undefined) throw failure;
  const endedAt = Date.now();
  return {
    first,
    count: issued,
    startedAt,
    endedAt,
    achievedRate: issued / Math.max(0.001, (endedAt - startedAt) / 1000),
    retried,
    maxBehind,
  };
}
