/**
 * A seeded PRNG (mulberry32): the same seed gives the same fault decisions, so `--seed` reproduces a run's
 * fault schedule. Each fault draws from its own stream, so turning one fault off does not shift the others.
 */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A stream of its own for `name` under `seed` (FNV-1a of the name mixed into the seed). */
export function faultStream(seed: number, name: string): Random {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return seededRandom((seed ^ hash) >>> 0);
}

/** `count` distinct integers from [low, high], sorted: the points where a one-off fault strikes. */
export function pickPoints(random: Random, count: number, low: number, high: number): number[] {
  const points = new Set<number>();
  const span = Math.max(1, high - low + 1);
  while (points.size < Math.min(count, span)) points.add(low + Math.floor(random() * span));
  return [...points].sort((a, b) => a - b);
}
