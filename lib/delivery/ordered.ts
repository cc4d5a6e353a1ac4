/**
 * Ordered targets (docs/routing.md): the worker delivers an envelope in waves, wave n holding the n-th record
 * of each partition key. A call then never holds two records of one key, so a destination that accepts some
 * entries of a call and refuses others (PutRecords, SendMessageBatch) cannot let a key's later record overtake
 * an earlier one; waves go one after the other, and a key whose record failed sends nothing more.
 */

/** Wave n: the n-th item of every key, in the items' order. Keys keep their order across waves. */
export function orderedWaves<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const waves: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const wave = waves[n];
    if (wave) wave.push(item);
    else waves.push([item]);
  }
  return waves;
}

/** Why a record was not sent: an earlier record of its key failed, and sending it would reorder the key. */
export function heldBackReason(partitionKey: string): string {
  return `held back to keep order: an earlier record of partition key ${JSON.stringify(partitionKey.slice(0, 64))} was not delivered`;
}

/** Whether a record's failure reason is {@link heldBackReason}: it was not tried, an earlier record of its key failed. */
export function isHeldBack(reason: string): boolean {
  return reason.startsWith('held back to keep order:');
}
