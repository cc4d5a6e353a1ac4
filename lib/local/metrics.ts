import { METRICS } from '../observability/telemetry.js';

/**
 * Reads the functions' CloudWatch EMF lines (what Powertools Metrics prints on every invocation) from the
 * local containers' output and keeps running totals per target: local mode shows the same numbers CloudWatch
 * would, from the same code path.
 */
export class EmfAggregator {
  readonly #counters = new Map<string, number>();
  readonly #latencies = new Map<string, number[]>();
  readonly #maxSamples: number;

  constructor(options: { maxSamples?: number } = {}) {
    this.#maxSamples = options.maxSamples ?? 20_000;
  }

  /** Feeds one output line; returns true when it was an EMF document. */
  ingest(line: string): boolean {
    if (!line.includes('"_aws"')) return false;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>;
    } catch {
      return false;
    }
    const aws = doc._aws as { CloudWatchMetrics?: Array<{ Metrics?: Array<{ Name: string }> }> } | undefined;
    const target = typeof doc.target === 'string' ? doc.target : '';
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      for (const { Name } of directive.Metrics ?? []) {
        const raw = doc[Name];
        const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number');
        if (Name === 'DeliveryLatency') this.#sample(target, values);
        else {
          const key = `${Name}|${target}`;
          this.#counters.set(key, (this.#counters.get(key) ?? 0) + values.reduce((a, b) => a + b, 0));
        }
      }
    }
    return true;
  }

  /** A counter's total for a target ('' for metrics without a target dimension). */
  count(name: string, target = ''): number {
    return this.#counters.get(`${name}|${target}`) ?? 0;
  }

  /** Latency percentile (0-100) of a target's deliveries, milliseconds; undefined before any. */
  latency(target: string, percentile: number): number | undefined {
    const samples = this.#latencies.get(target);
    if (!samples?.length) return undefined;
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((percentile / 100) * sorted.length))];
  }

  #sample(target: string, values: number[]): void {
    const list = this.#latencies.get(target) ?? [];
    list.push(...values);
    if (list.length > this.#maxSamples) list.splice(0, list.length - this.#maxSamples);
    this.#latencies.set(target, list);
  }
}

/** The metric names the live view and `fanout status` read. */
export const VIEW_METRICS = METRICS;
