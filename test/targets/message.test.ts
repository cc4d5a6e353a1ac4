import { describe, expect, it } from 'vitest';
import {
  createMessageEncoder,
  encodeMessage,
  fifoFields,
  isMessageSafeText,
  refuseAsMessage,
} from '../../lib/targets/message.js';
import { deliveryRecordFactory } from './factories.js';

describe('SQS/SNS message encoding', () => {
  it('accepts exactly the characters SQS allows in a body', () => {
    expect(isMessageSafeText('tab\t newline\n return\r 👋 \uE000 \uFFFD')).toBe(true);
    for (const bad of ['\u0000', '\u0008', '\u001F', '\uFFFE', '\uFFFF', '\uD800']) {
      expect(isMessageSafeText(`x${bad}y`)).toBe(false);
    }
  });

  it('keeps valid text as the body and base64-encodes invalid UTF-8', () => {
    expect(encodeMessage(deliveryRecordFactory({ data: 'ok 👋' })).body).toBe('ok 👋');
    const invalid = Buffer.from([0xed, 0xa0, 0x80]); // an encoded surrogate: not UTF-8
    const message = encodeMessage(deliveryRecordFactory({ data: invalid }));
    expect(message.body).toBe(invalid.toString('base64'));
    expect(message.attributes['fanout-encoding']).toEqual({ DataType: 'String', StringValue: 'base64' });
  });

  it('sends a partition key a String attribute cannot hold as its UTF-8 bytes', () => {
    const message = encodeMessage(deliveryRecordFactory({ key: 'k', partitionKey: 'a\u0001b', data: 'x' }));
    expect(message.attributes['fanout-partition-key']).toEqual({
      DataType: 'Binary',
      BinaryValue: Buffer.from('a\u0001b'),
    });
    expect(message.bytes).toBe(1 + ('fanout-key'.length + 6 + 1) + ('fanout-partition-key'.length + 6 + 3));
  });

  it('encodes a record once, however often it is sized', () => {
    const encode = createMessageEncoder();
    const record = deliveryRecordFactory();
    expect(encode(record)).toBe(encode(record));
  });

  it('refuses only an empty record', () => {
    expect(refuseAsMessage(deliveryRecordFactory({ data: '' }))).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(refuseAsMessage(deliveryRecordFactory({ data: ' ' }))).toBeUndefined();
  });

  it('derives FIFO ids within the 128-character alphabet, stable for a key', () => {
    const record = deliveryRecordFactory({ key: 'orders#abc', partitionKey: 'ünïcode key' });
    const fields = fifoFields(record);
    expect(fields).toEqual(fifoFields({ ...record }));
    expect(fields.MessageGroupId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fields.MessageDeduplicationId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fifoFields(deliveryRecordFactory({ partitionKey: 'p#1!' })).MessageGroupId).toBe('p#1!');
    expect(fifoFields(deliveryRecordFactory({ partitionKey: 'x'.repeat(129) })).MessageGroupId).toHaveLength(
      43,
    );
  });
});
