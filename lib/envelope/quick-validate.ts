import * as z from 'zod/mini';
import { ENVELOPE_KIND, ENVELOPE_VERSION, type Envelope } from './types.js';

/**
 * The envelope check every worker invocation runs, written out by hand: the zod schema in codec.ts stays the
 * reference (and writes the error messages), but a 100-record envelope costs it 1.5-3 ms of CPU in a container
 * that has handled only a few dozen envelopes (zod's generic code is still cold there), against ~0.05 ms here.
 *
 * Conservative by design: it returns the envelope only when the schema would accept it as it is (no unknown
 * keys, which the schema would strip), and `undefined` for anything else, which then goes through the schema.
 */
export function quickValidateEnvelope(value: unknown): Envelope | undefined {
  if (!isPlainObject(value) || !onlyKeys(value, ENVELOPE_KEYS)) return undefined;
  const { v, kind, target, dest, stream, shard, sentAt, records } = value;
  if (v !== ENVELOPE_VERSION || kind !== ENVELOPE_KIND) return undefined;
  if (!nonEmpty(target) || !nonEmpty(stream) || !nonEmpty(shard)) return undefined;
  if (dest !== undefined && !nonEmpty(dest)) return undefined;
  if (!finite(sentAt) || !Array.isArray(records)) return undefined;
  for (const record of records) if (!validRecord(record)) return undefined;
  return value as unknown as Envelope;
}

const ENVELOPE_KEYS = new Set(['v', 'kind', 'target', 'dest', 'stream', 'shard', 'sentAt', 'records']);
const RECORD_KEYS = new Set(['id', 'seq', 'sub', 'pk', 'at', 'd', 's3']);
const POINTER_KEYS = new Set(['b', 'k', 'n']);
const DECIMAL = /^\d+$/;
// The pattern of the schema's z.base64(), so both accept the same data.
const BASE64 = z.regexes.base64;

function validRecord(record: unknown): boolean {
  if (!isPlainObject(record) || !onlyKeys(record, RECORD_KEYS)) return false;
  const { id, seq, sub, pk, at, d, s3 } = record;
  if (!nonEmpty(id) || typeof seq !== 'string' || !DECIMAL.test(seq)) return false;
  if (sub !== undefined && !count(sub)) return false;
  if (typeof pk !== 'string' || !finite(at)) return false;
  // Exactly one of inline data and a claim-check pointer.
  if (d !== undefined) return s3 === undefined && typeof d === 'string' && BASE64.test(d);
  return s3 !== undefined && validPointer(s3);
}

function validPointer(s3: unknown): boolean {
  if (!isPlainObject(s3) || !onlyKeys(s3, POINTER_KEYS)) return false;
  const { b, k, n } = s3;
  return typeof b === 'string' && b.length >= 3 && nonEmpty(k) && count(n);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
/** z.int() with z.minimum(0): a safe integer, not negative. */
const count = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
