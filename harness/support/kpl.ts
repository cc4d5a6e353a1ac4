import { createHash } from 'node:crypto';

/** One user record to aggregate, as a KPL producer takes it. */
export interface UserRecordInput {
  partitionKey: string;
  data: string | Buffer;
  explicitHashKey?: string;
}

/**
 * A KPL-aggregated record (magic bytes, protobuf `AggregatedRecord`, MD5), encoded the way the KPL does:
 * fields in number order, each partition key once in the table. `corruptChecksum` flips the last MD5 byte.
 */
export function aggregateRecords(
  records: readonly UserRecordInput[],
  options: { corruptChecksum?: boolean } = {},
): Buffer {
  const keys: string[] = [];
  const hashKeys: string[] = [];
  const indexOf = (table: string[], value: string): number => {
    const at = table.indexOf(value);
    return at === -1 ? table.push(value) - 1 : at;
  };
  const entries = records.map((r) => {
    const fields = [varintField(1, indexOf(keys, r.partitionKey))];
    if (r.explicitHashKey !== undefined) fields.push(varintField(2, indexOf(hashKeys, r.explicitHashKey)));
    fields.push(bytesField(3, Buffer.from(r.data)));
    return Buffer.concat(fields);
  });
  const body = Buffer.concat([
    ...keys.map((k) => bytesField(1, Buffer.from(k))),
    ...hashKeys.map((k) => bytesField(2, Buffer.from(k))),
    ...entries.map((e) => bytesField(3, e)),
  ]);
  const md5 = createHash('md5').update(body).digest();
  if (options.corruptChecksum) md5[15] = (md5[15] as number) ^ 0xff;
  return Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), body, md5]);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function varintField(field: number, value: number): Buffer {
  return Buffer.concat([varint(field * 8), varint(value)]);
}

function bytesField(field: number, value: Buffer): Buffer {
  return Buffer.concat([varint(field * 8 + 2), varint(value.length), value]);
}
