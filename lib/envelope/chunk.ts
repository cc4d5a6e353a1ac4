/** Limits of one call or one envelope: the generic packer fills chunks up to them. */
export interface ChunkLimits {
  /** Most items in one chunk. */
  maxItems: number;
  /** Most bytes in one chunk, counting `overhead` and `separator` bytes. */
  maxBytes: number;
  /** Bytes every chunk costs whatever it holds (envelope header, request framing). */
  overhead?: number;
  /** Bytes between two items (a comma in a JSON array). */
  separator?: number;
}

export interface Chunks<T> {
  chunks: T[][];
  /** Items that do not fit in a chunk on their own: never silently dropped, the caller decides. */
  oversize: T[];
}

/**
 * Packs items, in order, into as few chunks as the limits allow (greedy: a chunk is closed when the next item
 * does not fit). The one packer behind envelopes, SQS batches and every target adapter's calls.
 *
 * @example
 * const { chunks } = chunkBySize(entries, (e) => e.length, { maxItems: 10, maxBytes: 1_048_576 });
 */
export function chunkBySize<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: ChunkLimits,
): Chunks<T> {
  const overhead = limits.overhead ?? 0;
  const separator = limits.separator ?? 0;
  const chunks: T[][] = [];
  const oversize: T[] = [];
  let current: T[] = [];
  let bytes = overhead;
  for (const item of items) {
    const size = sizeOf(item);
    if (overhead + size > limits.maxBytes) {
      oversize.push(item);
      continue;
    }
    const added = current.length === 0 ? size : size + separator;
    if (current.length >= limits.maxItems || bytes + added > limits.maxBytes) {
      chunks.push(current);
      current = [item];
      bytes = overhead + size;
    } else {
      current.push(item);
      bytes += added;
    }
  }
  if (current.length > 0) chunks.push(current);
  return { chunks, oversize };
}
