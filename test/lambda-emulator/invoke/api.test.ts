import { describe, expect, it } from 'vitest';
import { handleRequest, route } from '../../../lib/lambda-emulator/invoke/api.js';
import type { LambdaBackend } from '../../../lib/lambda-emulator/invoke/protocol.js';
import type { InvokeOutcome } from '../../../lib/lambda-emulator/types.js';

function backend(
  outcome: InvokeOutcome | undefined,
): LambdaBackend & { reserved: Map<string, number | undefined> } {
  const reserved = new Map<string, number | undefined>();
  return {
    reserved,
    asyncPayloadLimit: 100,
    has: (name) => name === 'worker',
    functionArn: (name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    invokeSync: async () => outcome,
    invokeAsync: () => 'queued-1',
    getReservedConcurrency: (name) => reserved.get(name),
    setReservedConcurrency: (name, value) => reserved.set(name, value),
    configuration: (name) => ({ FunctionName: name }),
    mappings: () => [],
    setMappingMaximumConcurrency: () => ({}),
    stats: () => ({ functions: [] }),
  };
}
const ok: InvokeOutcome = {
  ok: true,
  requestId: 'r1',
  payload: '{"done":true}',
  coldStart: false,
  durationMs: 1,
};
const post = (headers: Record<string, string>, body = '{}') => ({
  method: 'POST',
  url: '/2015-03-31/functions/worker/invocations',
  headers,
  body: Buffer.from(body),
});

describe('Lambda API routing and responses', () => {
  it('routes names, qualified names and URL-encoded ARNs to the function name', () => {
    expect(route('POST', '/2015-03-31/functions/worker/invocations')).toEqual({
      op: 'Invoke',
      functionName: 'worker',
    });
    expect(
      route('POST', '/2015-03-31/functions/worker%3A%24LATEST/invocations?Qualifier=x')?.functionName,
    ).toBe('worker');
    const arn = encodeURIComponent('arn:aws:lambda:us-east-1:000000000000:function:worker');
    expect(route('GET', `/2019-09-30/functions/${arn}/concurrency`)).toEqual({
      op: 'GetFunctionConcurrency',
      functionName: 'worker',
    });
    expect(route('PUT', '/2017-10-31/functions/worker/concurrency')?.op).toBe('PutFunctionConcurrency');
    expect(route('GET', '/2015-03-31/functions/worker/aliases')).toBeUndefined();
  });

  it("answers an unknown function with restJson1's error shape", async () => {
    const answer = await handleRequest(backend(ok), {
      ...post({}),
      url: '/2015-03-31/functions/other/invocations',
    });
    expect(answer.status).toBe(404);
    expect(answer.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(answer.body)).toEqual({
      Type: 'User',
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:other',
    });
  });

  it('queues an Event and answers 202 with its request id', async () => {
    const answer = await handleRequest(backend(ok), post({ 'x-amz-invocation-type': 'Event' }));
    expect(answer).toMatchObject({ status: 202, headers: { 'x-amzn-requestid': 'queued-1' } });
  });

  it('refuses an Event over the async limit with 413, and a body that is not JSON with 400', async () => {
    const big = await handleRequest(
      backend(ok),
      post({ 'x-amz-invocation-type': 'Event' }, `"${'x'.repeat(99)}"`),
    );
    expect([big.status, big.headers['x-amzn-errortype']]).toEqual([413, 'RequestTooLargeException']);
    const bad = await handleRequest(backend(ok), post({}, '{nope'));
    expect([bad.status, bad.headers['x-amzn-errortype']]).toEqual([400, 'InvalidRequestContentException']);
  });

  it('returns the payload, or the error with X-Amz-Function-Error, or 429 when throttled', async () => {
    expect(await handleRequest(backend(ok), post({}))).toMatchObject({ status: 200, body: '{"done":true}' });
    const failed: InvokeOutcome = {
      ok: false,
      requestId: 'r2',
      error: { errorType: 'Error', errorMessage: 'x' },
      coldStart: false,
      durationMs: 1,
    };
    const error = await handleRequest(backend(failed), post({}));
    expect(error).toMatchObject({ status: 200, headers: { 'x-amz-function-error': 'Unhandled' } });
    expect(JSON.parse(error.body)).toEqual({ errorType: 'Error', errorMessage: 'x' });
    const throttled = await handleRequest(backend(undefined), post({}));
    expect([throttled.status, JSON.parse(throttled.body).Reason]).toEqual([
      429,
      'ReservedFunctionConcurrentInvocationLimitExceeded',
    ]);
  });

  it('validates PutFunctionConcurrency', async () => {
    const api = backend(ok);
    const put = (value: unknown) =>
      handleRequest(api, {
        method: 'PUT',
        url: '/2017-10-31/functions/worker/concurrency',
        headers: {},
        body: Buffer.from(JSON.stringify({ ReservedConcurrentExecutions: value })),
      });
    expect((await put(-1)).status).toBe(400);
    expect((await put(2.5)).status).toBe(400);
    expect(await put(4)).toMatchObject({ status: 200, body: '{"ReservedConcurrentExecutions":4}' });
    expect(api.reserved.get('worker')).toBe(4);
  });
});
