import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { formatPath } from '../config/parse.js';
import { EnvelopeError } from './errors.js';
import { fastCheckEnvelope } from './fast-check.js';
import { recordId } from './keys.js';
import { ENVELOPE_KIND, ENVELOPE_VERSION, type Envelope, type EnvelopeRecord } from './types.js';

/** The part of an envelope before its records; its length is the envelope's fixed overhead. */
export function envelopeHead(
  target: string,
  stream: string,
  shard: string,
  sentAt: number,
  dest?: string,
): string {
  const to = dest === undefined ? '' : `,"dest":${JSON.stringify(dest)}`;
  return `{"v":${ENVELOPE_VERSION},"kind":${JSON.stringify(ENVELOPE_KIND)},"target":${JSON.stringify(target)}${to},"stream":${JSON.stringify(stream)},"shard":${JSON.stringify(shard)},"sentAt":${sentAt},"records":[`;
}
export const ENVELOPE_TAIL = ']}';

/**
 * Serializes one record entry, exactly as `JSON.stringify(record)` would, without building an object first: it
 * runs once per record (10,000 per batch) and only the partition key can need escaping (id, sequence number and
 * base64 data are JSON-safe by construction).
 */
export function encodeRecord(record: EnvelopeRecord): string {
  const sub = record.sub === undefined ? '' : `,"sub":${record.sub}`;
  const data = record.s3 === undefined ? `"d":"${record.d}"` : `"s3":${JSON.stringify(record.s3)}`;
  return `{"id":"${record.id}","seq":"${record.seq}"${sub},"pk":${JSON.stringify(record.pk)},"at":${record.at},${data}}`;
}

/** Joins pre-serialized record entries into an envelope body (byte-exact with {@link envelopeHead}'s overhead). */
export function joinEnvelope(head: string, entries: readonly string[]): string {
  return `${head}${entries.join(',')}${ENVELOPE_TAIL}`;
}

export function encodeEnvelope(envelope: Envelope): string {
  return joinEnvelope(
    envelopeHead(envelope.target, envelope.stream, envelope.shard, envelope.sentAt, envelope.dest),
    envelope.records.map(encodeRecord),
  );
}

const recordSchema = z
  .object({
    id: z.string().check(z.minLength(1)),
    seq: z.string().check(z.regex(/^\d+$/, 'must be a decimal sequence number')),
    sub: z.optional(z.int().check(z.minimum(0))),
    pk: z.string(),
    at: z.number(),
    d: z.optional(z.base64('must be base64 data')),
    s3: z.optional(
      z.object({
        b: z.string().check(z.minLength(3)),
        k: z.string().check(z.minLength(1)),
        n: z.int().check(z.minimum(0)),
      }),
    ),
  })
  .check(
    z.superRefine((r, ctx) => {
      if (r.d === undefined && r.s3 === undefined) {
        ctx.addIssue({
          code: 'custom',
          input: r,
          message:
            'has neither data (d) nor a claim-check pointer (s3): an unknown record shape (a dispatcher newer than this worker?)',
        });
      } else if (r.d !== undefined && r.s3 !== undefined) {
        ctx.addIssue({
          code: 'custom',
          input: r,
          message: 'has both data (d) and a claim-check pointer (s3)',
        });
      }
    }),
  );

const envelopeSchema = z.object({
  v: z.literal(ENVELOPE_VERSION, {
    error: (i) =>
      `unsupported envelope version ${JSON.stringify(i.input)}; this worker reads version ${ENVELOPE_VERSION}`,
  }),
  kind: z.literal(ENVELOPE_KIND),
  target: z.string().check(z.minLength(1)),
  dest: z.optional(z.string().check(z.minLength(1))),
  stream: z.string().check(z.minLength(1)),
  shard: z.string().check(z.minLength(1)),
  sentAt: z.number(),
  records: z.array(recordSchema),
});

/**
 * What is wrong with one field, without quoting its value (record data and partition keys must not reach a
 * log or a DLQ reason): zod/mini's default message is only "Invalid input", so type and literal problems are
 * spelled out here.
 */
function issueText(issue: core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const got =
      issue.input === undefined ? 'nothing' : Array.isArray(issue.input) ? 'array' : typeof issue.input;
    return `expected ${issue.expected}, got ${issue.input === null ? 'null' : got}`;
  }
  if (issue.message !== 'Invalid input') return issue.message;
  if (issue.code === 'invalid_value')
    return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
  if (issue.code === 'too_small') return `must be at least ${String(issue.minimum)} (${issue.origin})`;
  return `invalid (${issue.code})`;
}

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
      // V8 quotes the start of the text ('"hello worl"... is not valid JSON'): that may be record data, and
      // this message ends up in logs and in the DLQ, so only the position is kept, and the SyntaxError is not
      // attached as the cause (a logger that prints causes would print the quote).
      const why = (cause as Error).message.replace(/,? ".*"(\.\.\.)? is not valid JSON$/s, '');
      throw new EnvelopeError(`not an envelope: body is not JSON (${why}; ${input.length} characters)`);
    }
  }
  // A well-formed envelope (nearly all of them) passes the hand-written check; the schema judges the rest.
  const checked = fastCheckEnvelope(value);
  if (checked) return withCheckedIds(checked);
  // reportInput: the issue carries the bad value, so its type can be named (the value itself never is).
  const result = envelopeSchema.safeParse(value, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 3)
      .map((i) => `${formatPath(i.path) || '(root)'}: ${issueText(i)}`)
      .join('; ');
    throw new EnvelopeError(`not a valid envelope: ${problems}`);
  }
  return withCheckedIds(result.data as Envelope);
}

/**
 * Each record's `id` must be the digest of its position (stream, shard, sequence and sub-sequence numbers), as the
 * dispatcher made it: the worker takes its idempotency key from it. An envelope edited or forged by hand, with an id
 * that names another record or none, is refused as a whole (a retry cannot fix it): a forged id would deliver a
 * delivered record again, another record's id would skip this one as delivered.
 */
function withCheckedIds(envelope: Envelope): Envelope {
  envelope.records.forEach((r, i) => {
    if (r.id !== recordId(envelope.stream, envelope.shard, r.seq, r.sub)) {
      throw new EnvelopeError(
        `record ${i} (sequence number ${r.seq}${r.sub === undefined ? '' : `, sub-sequence ${r.sub}`}) has an id that is not the one of its position in ${envelope.stream}/${envelope.shard}: the envelope was changed after the dispatcher built it, so it is refused whole and left as it is`,
      );
    }
  });
  return envelope;
}
