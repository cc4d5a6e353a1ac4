import { describe, expect, it } from 'vitest';
import {
  compareSequenceNumbers,
  decodeEnvelope,
  type Envelope,
  EnvelopeError,
  encodeEnvelope,
  idempotencyKey,
  recordId,
} from '../../lib/envelope/index.js';

const envelope = (): Envelope => ({
  v: 1,
  kind: 'kinesis-fanout/envelope',
  target: 'output1',
  stream: 'input',
  shard: 'shardId-000000000000',
  sentAt: 1_700_000_000_000,
  records: [
    {
      id: recordId('input', 'shardId-000000000000', '1'),
      seq: '1',
      pk: 'k',
      at: 1,
      d: Buffer.from('hi').toString('base64'),
    },
  ],
});

describe('envelope codec', () => {
  it('round-trips through JSON text', () => {
    const e = envelope();
    expect(decodeEnvelope(encodeEnvelope(e))).toEqual(e);
    expect(decodeEnvelope(JSON.parse(encodeEnvelope(e)))).toEqual(e);
  });

  it('refuses another version, naming it', () => {
    const text = encodeEnvelope(envelope()).replace('"v":1', '"v":2');
    expect(() => decodeEnvelope(text)).toThrow(/unsupported envelope version 2; this worker reads version 1/);
  });

  it('refuses truncated JSON and bad fields with an EnvelopeError', () => {
    const text = encodeEnvelope(envelope());
    expect(() => decodeEnvelope(text.slice(0, 40))).toThrow(EnvelopeError);
    expect(() => decodeEnvelope(text.slice(0, 40))).toThrow(/body is not JSON/);
    const bad = { ...envelope(), records: [{ ...envelope().records[0], d: '%%%' }] };
    expect(() => decodeEnvelope(bad)).toThrow(/records\[0\]\.d: must be base64 data/);
    expect(() => decodeEnvelope({ hello: 'world' })).toThrow(/not a valid envelope/);
  });
});

describe('idempotency keys', () => {
  it('are stable for a position and differ by any part of it', () => {
    const base = recordId('input', 'shardId-000000000000', '495901');
    expect(recordId('input', 'shardId-000000000000', '495901')).toBe(base);
    expect(base).toHaveLength(22);
    expect(recordId('input', 'shardId-000000000001', '495901')).not.toBe(base);
    expect(recordId('other', 'shardId-000000000000', '495901')).not.toBe(base);
    expect(recordId('input', 'shardId-000000000000', '495902')).not.toBe(base);
    expect(recordId('input', 'shardId-000000000000', '495901', 0)).not.toBe(base);
    expect(idempotencyKey('output1', base)).not.toBe(idempotencyKey('output2', base));
  });

  it('compare sequence numbers numerically, not as text', () => {
    expect(compareSequenceNumbers('9', '10')).toBeLessThan(0);
    expect(
      compareSequenceNumbers(
        '49590000000000000000000000000000000000000000000000000002',
        '49590000000000000000000000000000000000000000000000000010',
      ),
    ).toBeLessThan(0);
    expect(compareSequenceNumbers('5', '5')).toBe(0);
  });
});

describe('encodeRecord', () => {
  // What SQS refuses in a message body (U+FFFE, U+FFFF, lone surrogates) and what fauxqs refuses too (emoji),
  // beside plain and JSON-escaped keys.
  const keys = [
    'plain',
    'quo"te',
    'back\\slash',
    'new\nline',
    'ünïcödé ✓',
    '\u0000ctl',
    '',
    'nonchar \uFFFE and \uFFFF',
    'lone high \uD800 here',
    'lone low \uDFFF',
    '\uDC00\uD800 reversed pair',
    'emoji 😀 and 🇺🇳',
    'del \u007f',
    '\u2028\u2029 separators',
  ];

  it('writes pure ASCII that JSON.parse turns back into the same record, whatever the partition key', async () => {
    const { encodeRecord } = await import('../../lib/envelope/index.js');
    for (const pk of keys) {
      for (const sub of [undefined, 0, 7]) {
        const record = {
          id: 'abcDEF_-',
          seq: '495901',
          ...(sub === undefined ? {} : { sub }),
          pk,
          at: 1_700_000_000_123,
          d: 'aGk=',
        };
        const text = encodeRecord(record);
        expect(text).toMatch(/^[\x20-\x7e]*$/);
        expect(JSON.parse(text)).toEqual(record);
        expect(JSON.parse(text).pk).toBe(pk);
      }
    }
  });

  it('writes exactly what JSON.stringify writes for an ASCII partition key', async () => {
    const { encodeRecord } = await import('../../lib/envelope/index.js');
    for (const pk of ['plain', 'quo"te', 'back\\slash', 'new\nline', '\u0000ctl', '']) {
      const record = { id: 'abcDEF_-', seq: '495901', pk, at: 1, d: 'aGk=' };
      expect(encodeRecord(record)).toBe(JSON.stringify(record));
    }
  });

  it('keeps a whole envelope in ASCII, and decodeEnvelope gives back its records', () => {
    const e = envelope();
    const records = keys.map((pk, i) => ({
      ...e.records[0]!,
      id: recordId(e.stream, e.shard, String(i + 1)),
      seq: String(i + 1),
      pk,
    }));
    const text = encodeEnvelope({ ...e, records });
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(decodeEnvelope(text).records.map((r) => r.pk)).toEqual(keys);
  });
});

describe('asciiJson', () => {
  it('escapes every code unit above U+007E, as JSON.parse reads it back', async () => {
    const { asciiJson } = await import('../../lib/envelope/index.js');
    const value = { a: '\uFFFF', b: ['😀', '\uD800'], c: 1 };
    expect(asciiJson(value)).toBe('{"a":"\\uffff","b":["\\ud83d\\ude00","\\ud800"],"c":1}');
    expect(JSON.parse(asciiJson(value))).toEqual(value);
  });
});

describe('asciiJson of long text', () => {
  it('escapes a text longer than one slice of char codes', async () => {
    const { asciiJson } = await import('../../lib/envelope/index.js');
    const text = `${'a'.repeat(10_000)}\uFFFF${'é'.repeat(20_000)}`;
    const json = asciiJson(text);
    expect(json).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(json)).toBe(text);
  });
});
