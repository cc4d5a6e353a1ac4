import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLambdaRuntime } from '../../../lib/lambda-emulator/index.js';
import { CREDENTIALS, fixture, REGION } from '../helpers.js';

const runtime = new LocalLambdaRuntime();
let lambda: LambdaClient;

beforeAll(async () => {
  const base = { timeoutSeconds: 5, memoryMb: 128 };
  runtime.register({ name: 'echo', handler: { file: fixture('echo.ts'), export: 'handler' }, ...base });
  runtime.register({ name: 'throws', handler: { file: fixture('fail.ts'), export: 'throws' }, ...base });
  runtime.register({
    name: 'single',
    handler: { file: fixture('fail.ts'), export: 'sleeps' },
    ...base,
    reservedConcurrency: 1,
  });
  const endpoint = await runtime.start();
  lambda = new LambdaClient({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
});

afterAll(() => runtime.stop());

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const decode = (payload: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(payload));

/** The SDK's exception for a call that should fail. */
async function failure(call: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('the call succeeded');
}

describe('Lambda Invoke API through @aws-sdk/client-lambda', () => {
  it('RequestResponse answers 200 with the handler result', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: encode({ hello: 'world' }) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(decode(out.Payload)).toMatchObject({ event: { hello: 'world' } });
  });

  it('accepts a function ARN as the function name', async () => {
    const FunctionName = 'arn:aws:lambda:us-east-1:000000000000:function:echo';
    const out = await lambda.send(new InvokeCommand({ FunctionName, Payload: encode({ n: 1 }) }));
    expect(decode(out.Payload)).toMatchObject({ event: { n: 1 } });
  });

  it('Event answers 202 and runs the handler later', async () => {
    const events: unknown[] = [];
    runtime.events.on('invocation', (event) => events.push(event));
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: encode({ later: true }) }),
    );
    expect(out.StatusCode).toBe(202);
    await runtime.idle('echo');
    expect(events).toContainEqual(expect.objectContaining({ functionName: 'echo', source: 'async' }));
  });

  it('DryRun answers 204 without invoking', async () => {
    const before = runtime.stats().functions.find((fn) => fn.name === 'throws')?.invocations;
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'throws', InvocationType: 'DryRun' }));
    expect(out.StatusCode).toBe(204);
    expect(runtime.stats().functions.find((fn) => fn.name === 'throws')?.invocations).toBe(before);
  });

  it('a function error is 200 with X-Amz-Function-Error: Unhandled and the error as payload', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'throws', Payload: encode({ message: 'no' }) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'PaymentDeclinedError', errorMessage: 'no' });
  });

  it('an unknown function is a 404 ResourceNotFoundException', async () => {
    const error = await failure(lambda.send(new InvokeCommand({ FunctionName: 'nope' })));
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(error.message).toContain('function:nope');
  });

  it('refuses payloads over 1 MB (Event) and 6 MB (RequestResponse) with 413 RequestTooLargeException', async () => {
    const big = (bytes: number): Uint8Array => encode('x'.repeat(bytes));
    const event = await failure(
      lambda.send(
        new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: big(1_000_000) }),
      ),
    );
    expect(event).toMatchObject({ name: 'RequestTooLargeException', status: 413 });
    const sync = await failure(
      lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: big(6_291_456) })),
    );
    expect(sync).toMatchObject({ name: 'RequestTooLargeException', status: 413 });
    // Just under the async limit is accepted.
    const ok = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: big(999_000) }),
    );
    expect(ok.StatusCode).toBe(202);
  });

  it('throttles RequestResponse with 429 when reserved concurrency is in use', async () => {
    const busy = lambda.send(new InvokeCommand({ FunctionName: 'single', Payload: encode({ ms: 1_500 }) }));
    // Wait until the first invocation holds the only slot.
    while ((runtime.stats().functions.find((fn) => fn.name === 'single')?.inFlight ?? 0) === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const error = await failure(
      lambda.send(new InvokeCommand({ FunctionName: 'single', Payload: encode({ ms: 1 }) })),
    );
    expect(error).toMatchObject({ name: 'TooManyRequestsException', status: 429 });
    expect((await busy).StatusCode).toBe(200);
  });

  it('serves the runtime stats as JSON for scripts in other processes', async () => {
    const response = await fetch(`${runtime.endpoint}/_local/stats`);
    const stats = (await response.json()) as { endpoint: string; functions: Array<{ name: string }> };
    expect(stats.endpoint).toBe(runtime.endpoint);
    expect(stats.functions.map((fn) => fn.name)).toEqual(['echo', 'throws', 'single']);
  });

  it('reads and changes reserved concurrency live', async () => {
    expect(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'echo' })))
        .ReservedConcurrentExecutions,
    ).toBeUndefined();
    const put = await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 3 }),
    );
    expect(put.ReservedConcurrentExecutions).toBe(3);
    expect(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'echo' })))
        .ReservedConcurrentExecutions,
    ).toBe(3);
    expect(runtime.stats().functions.find((fn) => fn.name === 'echo')?.concurrencyLimit).toBe(3);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(fn.Configuration).toMatchObject({
      FunctionName: 'echo',
      Timeout: 5,
      MemorySize: 128,
      Handler: 'echo.handler',
    });
    expect(fn.Concurrency?.ReservedConcurrentExecutions).toBe(3);
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'echo' }));
    expect(runtime.stats().functions.find((fn) => fn.name === 'echo')?.reservedConcurrency).toBeNull();
  });
});
