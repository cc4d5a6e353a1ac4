import * as z from 'zod/mini';
import { formatPath } from '../config/parse.js';
import { EnvelopeError } from './errors.js';
import { ENVELOPE_KIND, ENVELOPE_VERSION, type Envelope, type EnvelopeRecord } from './types.js';

/** The part of an envelope before its records; its length is the envelope's fixed overhead. */
export function envelopeHead(target: string, stream: string, shard: string, sentAt: number): string {
  return `{"v":${ENVELOPE_VERSION},"kind":${JSON.stringify(ENVELOPE_KIND)},"target":${JSON.stringify(target)},"stream":${JSON.stringify(stream)},"shard":${JSON.stringify(shard)},"sentAt":${sentAt},"records":[`;
}
export const ENVELOPE_TAIL = ']}';

/**
 * Serializes one record entry, exactly as `JSON.stringify(record)` would, without building an object first: it
 * runs once per record (10,000 per batch) and only the partition key can need escaping (id, sequence number and
 * base64 data are JSON-safe by construction).
 */
export function encodeRecord(record: EnvelopeRecord): string {
  const sub = record.sub === undefined ? '' : `,"sub":${record.sub}`;
  return `{"id":"${record.id}","seq":"${record.seq}"${sub},"pk":${JSON.stringify(record.pk)},"at":${record.at},"d":"${record.d}"}`;
}

/** Joins pre-serialized record entries into an envelope body (byte-exact with {@link envelopeHead}'s overhead). */
export function joinEnvelope(head: string, entries: readonly string[]): string {
  return `${head}${entries.join(',')}${ENVELOPE_TAIL}`;
}

export function encodeEnvelope(envelope: Envelope): string {
  return joinEnvelope(
    envelopeHead(envelope.target, envelope.stream, envelope.shard, envelope.sentAt),
    envelope.records.map(encodeRecord),
  );
}

const recordSchema = z.object({
  id: z.string().check(z.minLength(1)),
  seq: z.string().check(z.regex(/^\d+$/, 'must be a decimal sequence number')),
  sub: z.optional(z.int().check(z.minimum(0))),
  pk: z.string(),
  at: z.number(),
  d: z.base64('must be base64 data'),
});

const envelopeSchema = z.object({
  v: z.literal(ENVELOPE_VERSION, {
    error: (i) =>
      `unsupported envelope version ${JSON.stringify(i.input)}; this worker reads version ${ENVELOPE_VERSION}`,
  }),
  kind: z.literal(ENVELOPE_KIND),
  target: z.string().check(z.minLength(1)),
  stream: z.string().check(z.minLength(1)),
  shard: z.string().check(z.minLength(1)),
  sentAt: z.number(),
  records: z.array(recordSchema),
});

/** True when a value looks like an envelope (before full validation): used to tell envelopes from SQS events. */
export function isEnvelopeLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === ENVELOPE_KIND;
}

/**
 * Validates an envelope (already parsed, as Lambda hands an async payload, or as JSON text from SQS).
 * Throws {@link EnvelopeError} naming the first bad fields.
 */
export function decodeEnvelope(input: unknown): Envelope {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new EnvelopeError(
        `not an envelope: body is not JSON (${(cause as Error).message}; ${input.length} characters)`,
        { cause },
      );
    }
  }
  const result = envelopeSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 3)
      .map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`)
      .join('; ');
    throw new EnvelopeError(`not a valid envelope: ${problems}`);
  }
  return result.data as Envelope;
}
