import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { formatPath } from '../config/parse.js';
import { EnvelopeError } from './errors.js';
import { recordId } from './keys.js';
import { quickValidateEnvelope } from './quick-validate.js';
import { ENVELOPE_KIND, ENVELOPE_VERSION, type Envelope, type EnvelopeRecord } from './types.js';

/** The part of an envelope before its records; its length is the envelope's fixed overhead. */
export function envelopeHead(
  target: string,
  stream: string,
  shard: string,
  sentAt: number,
  dest?: string,
): string {
  const to = dest === undefined ? '' : `,"dest":${asciiJson(dest)}`;
  return `{"v":${ENVELOPE_VERSION},"kind":${JSON.stringify(ENVELOPE_KIND)},"target":${asciiJson(target)}${to},"stream":${asciiJson(stream)},"shard":${asciiJson(shard)},"sentAt":${sentAt},"records":[`;
}
export const ENVELOPE_TAIL = ']}';

// JSON.stringify escapes only U+0000-U+001F, quotes, backslashes and lone surrogates: everything else above
// printable ASCII is escaped here.
const NOT_ASCII = /[\u007f-\uffff]/;
const HEX = '0123456789abcdef';

/**
 * `JSON.stringify(value)` in pure ASCII: every UTF-16 code unit above U+007E becomes `\uXXXX` (a pair for an
 * emoji, which JSON.parse joins again). SQS refuses a message body with U+FFFE, U+FFFF or a lone surrogate
 * (InvalidMessageContents, every time), and emulators refuse more (fauxqs: emoji); an envelope or notice in
 * ASCII is a body every queue takes, and `JSON.parse` gives back the same string. ASCII text (nearly every
 * partition key) costs one regular-expression test.
 */
export function asciiJson(value: unknown): string {
  const text = JSON.stringify(value);
  return NOT_ASCII.test(text) ? escapeNonAscii(text) : text;
}

/**
 * Char codes collected and turned into a string once: twice as fast as slicing and concatenating, or `replace`
 * with a callback, on a key with a few non-ASCII characters. In slices of {@link CODES_PER_CALL}: a spread
 * of too many arguments overflows the stack (a long notice reason; a partition key is 1,536 codes at most).
 */
function escapeNonAscii(text: string): string {
  let out = '';
  let codes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x7f) codes.push(c);
    else codes.push(BACKSLASH, LETTER_U, hex(c >> 12), hex(c >> 8), hex(c >> 4), hex(c));
    if (codes.length >= CODES_PER_CALL) {
      out += String.fromCharCode(...codes);
      codes = [];
    }
  }
  return out + String.fromCharCode(...codes);
}

const CODES_PER_CALL = 8_192;

const BACKSLASH = 0x5c;
const LETTER_U = 0x75;
const hex = (nibbles: number): number => HEX.charCodeAt(nibbles & 15);

/**
 * Serializes one record entry as `JSON.stringify(record)` would, but in pure ASCII (see {@link asciiJson}),
 * without building an object first: it runs once per record (10,000 per batch) and only the partition key can
 * need escaping (id, sequence number and base64 data are JSON-safe ASCII by construction).
 */
export function encodeRecord(record: EnvelopeRecord): string {
  const sub = record.sub === undefined ? '' : `,"sub":${record.sub}`;
  const data = record.s3 === undefined ? `"d":"${record.d}"` : `"s3":${asciiJson(record.s3)}`;
  return `{"id":"${record.id}","seq":"${record.seq}"${sub},"pk":${asciiJson(record.pk)},"at":${record.at},${data}}`;
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
  const checked = quickValidateEnvelope(value);
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
