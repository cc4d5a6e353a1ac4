import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { sqsFailureSink } from '../../../lib/lambda-emulator/destinations/sqs-sink.js';

describe('sqsFailureSink', () => {
  it('writes the record in ASCII, so a partition key SQS refuses raw (U+FFFF, a lone surrogate) cannot drop it', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const record = { requestPayload: { records: [{ pk: 'k-\uFFFF-\uFFFE-\uD800-😀' }] } };

    await sqsFailureSink(new SQSClient({ region: 'us-east-1' }))('http://q', record);

    const body = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? '';
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(body)).toEqual(record);
  });
});
