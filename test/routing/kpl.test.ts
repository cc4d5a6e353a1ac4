import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aggregateRecords } from '../../harness/support/kpl.js';
import { deaggregate, KPL_BASE64_PREFIX } from '../../lib/routing/index.js';

/**
 * Encoded by `protoc --encode=AggregatedRecord kpl.proto` (protobuf's own encoder, not ours), with the magic
 * bytes and MD5 added: partition keys "pk-a" and "clé-b", an explicit hash key, a user record with tags and
 * one with binary data.
 */
const PROTOC_FIXTURE =
  '84mawgoEcGstYQoGY2zDqS1iEicxNzAxNDExODM0NjA0NjkyMzE3MzE2ODczMDM3MTU4ODQxMDU3MjgaGwgAGhd7ImxldmVsIjoiRVJST1IiLCJuIjowfRoYCAEQABoKcGxhaW4gdGV4dCIGCgF0EgF2GgwIABoI8wBiaW5hcnlxo0kktkj57lUolA7xgYL+';

describe('deaggregate', () => {
  it('splits a record encoded by protoc into its user records, in order, with their partition keys', () => {
    const result = deaggregate(Buffer.from(PROTOC_FIXTURE, 'base64'));
    expect(result.kind).toBe('aggregated');
    if (result.kind !== 'aggregated') return;
    expect(result.records.map((r) => r.partitionKey)).toEqual(['pk-a', 'clé-b', 'pk-a']);
    expect(result.records[0]?.data.toString()).toBe('{"level":"ERROR","n":0}');
    expect(result.records[1]?.data.toString()).toBe('plain text');
    expect(result.records[2]?.data).toEqual(Buffer.from([0xf3, 0x00, ...Buffer.from('binary')]));
  });

  it('reads what the test encoder writes (the factory other tests build aggregates with)', () => {
    const records = Array.from({ length: 300 }, (_, i) => ({
      partitionKey: `k${i % 3}`,
      data: `{"n":${i}}`,
    }));
    const result = deaggregate(aggregateRecords(records));
    expect(result.kind === 'aggregated' && result.records.map((r) => r.data.toString())).toEqual(
      records.map((r) => r.data),
    );
  });

  it('leaves a record without the magic bytes alone', () => {
    expect(deaggregate(Buffer.from('{"n":1}'))).toEqual({ kind: 'plain' });
    expect(deaggregate(Buffer.from([0xf3, 0x89]))).toEqual({ kind: 'plain' });
  });

  it('reports a bad checksum, a truncated body and an empty aggregate as corrupt (the caller passes them on whole)', () => {
    expect(
      deaggregate(aggregateRecords([{ partitionKey: 'k', data: 'x' }], { corruptChecksum: true })),
    ).toEqual({
      kind: 'corrupt',
      reason: 'aggregated record checksum (MD5) does not match',
    });
    expect(deaggregate(Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 1, 2])).kind).toBe('corrupt');
    expect(deaggregate(aggregateRecords([])).kind).toBe('corrupt');
  });

  it('reports a body that is not a valid AggregatedRecord as corrupt', () => {
    const wrap = (body: Buffer): Buffer =>
      Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), body, createHash('md5').update(body).digest()]);
    // A user record naming partition key 3 of a table of none.
    expect(deaggregate(wrap(Buffer.from([0x1a, 0x04, 0x08, 0x03, 0x1a, 0x00]))).kind).toBe('corrupt');
    // A length running past the end.
    expect(deaggregate(wrap(Buffer.from([0x0a, 0x09, 0x41]))).kind).toBe('corrupt');
    // A group (wire type 3), which the format never uses.
    expect(deaggregate(wrap(Buffer.from([0x0b]))).kind).toBe('corrupt');
  });

  it('recognizes aggregates by their base64 prefix without decoding', () => {
    expect(PROTOC_FIXTURE.startsWith(KPL_BASE64_PREFIX)).toBe(true);
    expect(
      aggregateRecords([{ partitionKey: 'k', data: 'x' }])
        .toString('base64')
        .startsWith(KPL_BASE64_PREFIX),
    ).toBe(true);
  });
});
