/** Claim-check pointers and per-destination envelopes in the envelope format (still version 1). */
import { describe, expect, it } from 'vitest';
import {
  claimCheckKey,
  decodeEnvelope,
  deliveryScope,
  type Envelope,
  encodeEnvelope,
  envelopeHead,
  recordId,
} from '../../lib/envelope/index.js';

const SHARD = 'shardId-000000000000';

const envelope = (records: Envelope['records'], dest?: string): Envelope => ({
  v: 1,
  kind: 'kinesis-fanout/envelope',
  target: 'discovered',
  ...(dest ? { dest } : {}),
  stream: 'input',
  shard: SHARD,
  sentAt: 1,
  records,
});

const position = (seq: string) => ({ id: recordId('input', SHARD, seq), seq, pk: 'k', at: 1 });

describe('claim-check pointers', () => {
  it('round-trip beside inline records, with a destination in the head', () => {
    const e = envelope(
      [
        { ...position('1'), d: Buffer.from('small').toString('base64') },
        {
          ...position('2'),
          s3: { b: 'bucket', k: claimCheckKey('fanout-dev', 'input', SHARD, '2'), n: 2_000_000 },
        },
      ],
      'app-output-a',
    );
    const text = encodeEnvelope(e);
    expect(text.startsWith(envelopeHead('discovered', 'input', SHARD, 1, 'app-output-a'))).toBe(true);
    expect(text).toContain('"s3":{"b":"bucket","k":"fanout-dev/input/shardId-000000000000/2","n":2000000}');
    expect(decodeEnvelope(text)).toEqual(e);
  });

  it('refuses a record with neither data nor pointer as an unknown shape, and one with both', () => {
    const neither = JSON.parse(encodeEnvelope(envelope([{ ...position('1'), d: 'aGk=' }])));
    delete neither.records[0].d;
    neither.records[0].ref = 'some future shape';
    expect(() => decodeEnvelope(neither)).toThrow(
      /records\[0\]: has neither data \(d\) nor a claim-check pointer \(s3\): an unknown record shape/,
    );
    const both = JSON.parse(encodeEnvelope(envelope([{ ...position('1'), d: 'aGk=' }])));
    both.records[0].s3 = { b: 'bucket', k: 'key', n: 2 };
    expect(() => decodeEnvelope(both)).toThrow(/has both data \(d\) and a claim-check pointer \(s3\)/);
  });

  it('derive the object key from the position only, sub-sequence included', () => {
    expect(claimCheckKey('fanout-dev', 'input', SHARD, '4959', 3)).toBe(
      'fanout-dev/input/shardId-000000000000/4959.3',
    );
    expect(claimCheckKey('fanout-dev', 'input', SHARD, '4959')).toBe(
      claimCheckKey('fanout-dev', 'input', SHARD, '4959'),
    );
  });
});

describe('delivery scope', () => {
  it('is the target, and the target with the destination for a discovered stream', () => {
    expect(deliveryScope({ target: 'out' })).toBe('out');
    expect(deliveryScope({ target: 'discovered', dest: 'app-output-a' })).toBe('discovered>app-output-a');
    expect(deliveryScope({ target: 'discovered', dest: 'app-output-b' })).not.toBe(
      deliveryScope({ target: 'discovered', dest: 'app-output-a' }),
    );
  });
});
