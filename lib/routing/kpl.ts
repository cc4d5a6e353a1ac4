import { createHash } from 'node:crypto';

/**
 * KPL aggregation format (https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md):
 * 4 magic bytes, a protobuf `AggregatedRecord`, then the MD5 of the protobuf bytes.
 *
 *   message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
 *                              repeated Record records = 3; }
 *   message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *                    required bytes data = 3; repeated Tag tags = 4; }
 */
export const KPL_MAGIC: Readonly<Buffer> = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
const MD5_BYTES = 16;

/** The base64 text of every aggregated record starts so (the first 3 magic bytes): a check without decoding. */
export const KPL_BASE64_PREFIX = '84ma';

/** One user record of an aggregated Kinesis record. Its sub-sequence number is its index in the list. */
export interface UserRecord {
  partitionKey: string;
  /** A view into the aggregated record's bytes (no copy). */
  data: Buffer;
}

export type DeaggregateResult =
  | { kind: 'plain' }
  | { kind: 'aggregated'; records: UserRecord[] }
  /** Magic bytes but a bad checksum or body: the KCL hands such a record on whole, as a plain record. */
  | { kind: 'corrupt'; reason: string };

/**
 * Splits a KPL-aggregated record into its user records, each with its own partition key (the explicit hash
 * key only chose the shard; it is ignored). Anything without the magic bytes is `plain`.
 *
 * @example
 * const result = deaggregate(Buffer.from(record.kinesis.data, 'base64'));
 * if (result.kind === 'aggregated') result.records.forEach((r, sub) => handle(r.partitionKey, r.data, sub));
 */
export function deaggregate(data: Buffer): DeaggregateResult {
  if (data.length < KPL_MAGIC.length || !data.subarray(0, KPL_MAGIC.length).equals(KPL_MAGIC)) {
    return { kind: 'plain' };
  }
  if (data.length < KPL_MAGIC.length + MD5_BYTES) {
    return { kind: 'corrupt', reason: `aggregated record of ${data.length} bytes is too short` };
  }
  const body = data.subarray(KPL_MAGIC.length, data.length - MD5_BYTES);
  const digest = createHash('md5').update(body).digest();
  if (!digest.equals(data.subarray(data.length - MD5_BYTES))) {
    return { kind: 'corrupt', reason: 'aggregated record checksum (MD5) does not match' };
  }
  try {
    const records = parseAggregatedRecord(body);
    if (records.length === 0) return { kind: 'corrupt', reason: 'aggregated record holds no user record' };
    return { kind: 'aggregated', records };
  } catch (error) {
    return { kind: 'corrupt', reason: `aggregated record is not readable: ${(error as Error).message}` };
  }
}

function parseAggregatedRecord(body: Buffer): UserRecord[] {
  const keys: string[] = [];
  const entries: Array<{ keyIndex: number; data: Buffer }> = [];
  const reader = new ProtoReader(body, 0, body.length);
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === 2) keys.push(reader.bytes().toString('utf8'));
    else if (field === 3 && wire === 2) entries.push(parseRecord(reader.bytes()));
    else reader.skip(wire);
  }
  return entries.map(({ keyIndex, data }, i) => {
    const partitionKey = keys[keyIndex];
    if (partitionKey === undefined) {
      throw new Error(`user record ${i} names partition key ${keyIndex} of ${keys.length}`);
    }
    return { partitionKey, data };
  });
}

function parseRecord(message: Buffer): { keyIndex: number; data: Buffer } {
  const reader = new ProtoReader(message, 0, message.length);
  let keyIndex: number | undefined;
  let data: Buffer | undefined;
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === 0) keyIndex = reader.varint();
    else if (field === 3 && wire === 2) data = reader.bytes();
    else reader.skip(wire);
  }
  if (keyIndex === undefined || data === undefined) {
    throw new Error('a user record lacks its partition key index or data');
  }
  return { keyIndex, data };
}

/** The few protobuf wire-format reads this format needs. Throws on anything truncated or malformed. */
class ProtoReader {
  constructor(
    private readonly buf: Buffer,
    private pos: number,
    private readonly end: number,
  ) {}

  more(): boolean {
    return this.pos < this.end;
  }

  tag(): [field: number, wire: number] {
    const tag = this.varint();
    return [Math.floor(tag / 8), tag % 8];
  }

  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 53; shift += 7) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.buf[this.pos++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new Error('varint too large');
  }

  bytes(): Buffer {
    const length = this.varint();
    if (this.pos + length > this.end) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1 || wire === 5) {
      this.pos += wire === 1 ? 8 : 4;
      if (this.pos > this.end) throw new Error('truncated field');
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}
