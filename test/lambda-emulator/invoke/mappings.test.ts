import { describe, expect, it } from 'vitest';
import { handleRequest } from '../../../lib/lambda-emulator/invoke/api.js';
import type { LambdaBackend } from '../../../lib/lambda-emulator/invoke/protocol.js';

const QUEUE_MAPPING = 'sqs:audit-queue->audit-worker#2';

/** A backend with one stream mapping and one queue mapping whose maximum concurrency can change. */
function backend(): LambdaBackend & { maximum: () => number } {
  let maximum = 5;
  const mappings = (): Array<Record<string, unknown>> => [
    { UUID: 'kinesis:input->dispatcher#1', FunctionArn: 'arn:aws:lambda:us-east-1:0:function:dispatcher' },
    {
      UUID: QUEUE_MAPPING,
      FunctionArn: 'arn:aws:lambda:us-east-1:0:function:audit-worker',
      EventSourceArn: 'arn:aws:sqs:us-east-1:0:audit-queue',
      ScalingConfig: { MaximumConcurrency: maximum },
    },
  ];
  return {
    maximum: () => maximum,
    asyncPayloadLimit: 100,
    has: () => true,
    functionArn: (name) => `arn:aws:lambda:us-east-1:0:function:${name}`,
    invokeSync: async () => undefined,
    invokeAsync: () => 'r',
    getReservedConcurrency: () => undefined,
    setReservedConcurrency: () => {},
    configuration: () => ({}),
    mappings: (functionName) =>
      mappings().filter((m) => !functionName || String(m.FunctionArn).endsWith(`:${functionName}`)),
    setMappingMaximumConcurrency: (id, value) => {
      if (id !== QUEUE_MAPPING) throw new Error(`"${id}" reads a stream`);
      maximum = value;
      return mappings()[1] as Record<string, unknown>;
    },
    stats: () => ({}),
  };
}
const request = (method: string, url: string, body: unknown = undefined) => ({
  method,
  url,
  headers: {},
  body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
});

describe('local Lambda API: event source mappings', () => {
  it('lists the mappings of a function (by name or ARN)', async () => {
    const api = backend();
    const out = await handleRequest(
      api,
      request('GET', '/2015-03-31/event-source-mappings/?FunctionName=audit-worker'),
    );
    expect(out.status).toBe(200);
    expect(JSON.parse(out.body)).toEqual({
      EventSourceMappings: [expect.objectContaining({ UUID: QUEUE_MAPPING })],
    });
    const all = await handleRequest(api, request('GET', '/2015-03-31/event-source-mappings/'));
    expect((JSON.parse(all.body) as { EventSourceMappings: unknown[] }).EventSourceMappings).toHaveLength(2);
  });

  it('changes the maximum concurrency of a queue mapping, by URL-encoded UUID', async () => {
    const api = backend();
    const url = `/2015-03-31/event-source-mappings/${encodeURIComponent(QUEUE_MAPPING)}`;
    const out = await handleRequest(api, request('PUT', url, { ScalingConfig: { MaximumConcurrency: 9 } }));
    expect(out.status).toBe(202);
    expect(JSON.parse(out.body)).toMatchObject({ ScalingConfig: { MaximumConcurrency: 9 } });
    expect(api.maximum()).toBe(9);
  });

  it('refuses impossible values, other settings, stream mappings and unknown UUIDs', async () => {
    const api = backend();
    const put = (uuid: string, body: unknown) =>
      handleRequest(
        api,
        request('PUT', `/2015-03-31/event-source-mappings/${encodeURIComponent(uuid)}`, body),
      );
    const low = await put(QUEUE_MAPPING, { ScalingConfig: { MaximumConcurrency: 1 } });
    expect(low.status).toBe(400);
    expect(low.body).toContain('from 2 to 1000');
    expect((await put(QUEUE_MAPPING, { BatchSize: 3 })).body).toContain('not BatchSize');
    expect(
      (await put('kinesis:input->dispatcher#1', { ScalingConfig: { MaximumConcurrency: 3 } })).body,
    ).toContain('reads a stream');
    const missing = await put('nope', { ScalingConfig: { MaximumConcurrency: 3 } });
    expect(missing.status).toBe(404);
    expect(missing.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(api.maximum()).toBe(5);
  });
});
