/** What every measured case program shares: its input, the measuring loop, and its one line of output. */

/** The case's JSON input (argv[2]). */
export function caseInput<T>(): T {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: <case>.ts <json input>');
  return JSON.parse(raw) as T;
}

export interface Samples {
  wallMs: number[];
  cpuMs: number[];
}

/**
 * Runs `batch` `warmup` times unmeasured (JIT, keep-alive sockets, lazily built SDK parts), calls `ready`,
 * then `iterations` times measuring wall time and this process's CPU time (user + system) of each call.
 */
export async function measure(
  batch: () => Promise<void>,
  options: { warmup: number; iterations: number; ready?: () => Promise<void> },
): Promise<Samples> {
  for (let i = 0; i < options.warmup; i++) await batch();
  await options.ready?.();
  const samples: Samples = { wallMs: [], cpuMs: [] };
  for (let i = 0; i < options.iterations; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await batch();
    samples.wallMs.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    samples.cpuMs.push((used.user + used.system) / 1_000);
  }
  return samples;
}

/** Peak resident set size of this process so far, bytes (the kernel's high-water mark, not a sample). */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1_024;
}

/** Prints the result as the last stdout line, where the parent reads it. */
export function emit(result: object): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** A Lambda context with plenty of time left: the benchmark measures work, not the deadline logic. */
export const benchContext = { getRemainingTimeInMillis: (): number => 60_000 };
