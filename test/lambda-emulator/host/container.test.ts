import { afterAll, beforeAll, describe, it } from 'vitest';
import { heapFlags } from '../../../lib/lambda-emulator/host/container.js';
import { LocalLambdaRuntime } from '../../../lib/lambda-emulator/index.js';
import { fixture } from '../helpers.js';

interface Echo {
  event: unknown;
  invocations: number;
  pid: number;
  env: Record<string, string | undefined>;
  context: Record<string, unknown> & { remainingMs: number };
}

const runtime = new LocalLambdaRuntime({ env: { FIXTURE_GREETING: 'hello' } });
const fail = fixture('fail.ts');
const base = { timeoutSeconds: 3, memoryMb: 128 };

beforeAll(async () => {
  for (const name of ['echo', 'context', 'survivor']) {
    runtime.register({ name, handler: { file: fixture('echo.ts'), export: 'handler' }, ...base });
  }
  runtime.register({ name: 'callback', handler: { file: fixture('echo.ts'), export: 'callback' }, ...base });
  runtime.register({ name: 'throws', handler: { file: fail, export: 'throws' }, ...base });
  runtime.register({ name: 'exits', handler: { file: fail, export: 'exits' }, ...base });
  runtime.register({ name: 'uncaught', handler: { file: fail, export: 'uncaught' }, ...base });
  runtime.register({ name: 'missing', handler: { file: fail, export: 'notExported' }, ...base });
  runtime.register({ name: 'init', handler: { file: fixture('init-error.ts'), export: 'handler' }, ...base });
  runtime.register({
    name: 'hogs',
    handler: { file: fail, export: 'hogs' },
    timeoutSeconds: 30,
    memoryMb: 128,
  });
  runtime.register({ name: 'sleeps', handler: { file: fail, export: 'sleeps' }, ...base, timeoutSeconds: 1 });
  runtime.register({
    name: 'single',
    handler: { file: fail, export: 'sleeps' },
    ...base,
    reservedConcurrency: 1,
  });
  await runtime.start();
});

afterAll(() => runtime.stop());

const stats = (name: string) => runtime.stats().functions.find((fn) => fn.name === name);

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.concurrent('function host', () => {
  it('starts a container cold, then reuses it warm with its module scope', async ({ expect }) => {
    const first = await runtime.invoke('echo', { n: 1 });
    const second = await runtime.invoke('echo', { n: 2 });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect([first.coldStart, second.coldStart]).toEqual([true, false]);
    const a = JSON.parse(first.payload) as Echo;
    const b = JSON.parse(second.payload) as Echo;
    expect(b.pid).toBe(a.pid);
    expect([a.invocations, b.invocations]).toEqual([1, 2]);
    expect(b.event).toEqual({ n: 2 });
  });

  it("gives the handler Lambda's context and environment", async ({ expect }) => {
    const outcome = await runtime.invoke('context', {});
    if (!outcome.ok) throw new Error(outcome.error.errorMessage);
    const echo = JSON.parse(outcome.payload) as Echo;
    expect(echo.context).toMatchObject({
      awsRequestId: outcome.requestId,
      functionName: 'context',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:context',
      memoryLimitInMB: '128',
    });
    expect(echo.context.remainingMs).toBeGreaterThan(0);
    expect(echo.context.remainingMs).toBeLessThanOrEqual(3000);
    expect(echo.env).toEqual({
      FIXTURE_GREETING: 'hello',
      AWS_LAMBDA_FUNCTION_NAME: 'context',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_LAMBDA: runtime.endpoint,
    });
  });

  it('runs callback-style handlers', async ({ expect }) => {
    const outcome = await runtime.invoke('callback', { x: 1 });
    expect(outcome.ok && JSON.parse(outcome.payload)).toEqual({ callback: true, event: { x: 1 } });
  });

  it('reports a thrown error as {errorType, errorMessage, trace} and keeps the container', async ({
    expect,
  }) => {
    const first = await runtime.invoke('throws', { message: 'card expired' });
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.error).toMatchObject({ errorType: 'PaymentDeclinedError', errorMessage: 'card expired' });
    expect(first.error.trace?.[0]).toBe('PaymentDeclinedError: card expired');
    const second = await runtime.invoke('throws', {});
    expect(second.coldStart).toBe(false);
  });

  it('kills a container that runs past its timeout and starts a fresh one next time', async ({ expect }) => {
    const outcome = await runtime.invoke('sleeps', { ms: 10_000 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.errorType).toBe('Sandbox.Timedout');
    expect(outcome.error.errorMessage).toBe(
      `RequestId: ${outcome.requestId} Error: Task timed out after 1.00 seconds`,
    );
    expect(stats('sleeps')).toMatchObject({ containers: 0, timeouts: 1 });
    const next = await runtime.invoke('sleeps', { ms: 1 });
    expect(next).toMatchObject({ ok: true, coldStart: true });
  });

  it('turns process.exit, an uncaught exception, a failed init and a missing export into function errors', async ({
    expect,
  }) => {
    const [exits, uncaught, init, missing] = await Promise.all([
      runtime.invoke('exits', { code: 3 }),
      runtime.invoke('uncaught', {}),
      runtime.invoke('init', {}),
      runtime.invoke('missing', {}),
    ]);
    expect(!exits.ok && exits.error).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${exits.requestId} Error: Runtime exited with error: exit status 3`,
    });
    expect(!uncaught.ok && uncaught.error).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'thrown from a timer',
    });
    expect(!init.ok && init.error).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'FIXTURE_REQUIRED_SETTING is not set',
    });
    expect(!missing.ok && missing.error).toEqual({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'fail.notExported is undefined or not exported',
    });
    expect(stats('exits')?.containers).toBe(0);
    expect(stats('uncaught')?.containers).toBe(0);
    expect(stats('init')?.containers).toBe(0);
    // The runtime itself is unharmed.
    expect((await runtime.invoke('survivor', {})).ok).toBe(true);
  });

  it('caps the V8 heap at the function memory: running out is Runtime.OutOfMemory', async ({ expect }) => {
    const outcome = await runtime.invoke('hogs', {});
    expect(!outcome.ok && outcome.error.errorType).toBe('Runtime.OutOfMemory');
  });

  it("sizes the heap as Lambda's Node.js runtime does: a tenth young generation, the rest old space", ({
    expect,
  }) => {
    expect(heapFlags(512)).toEqual(['--max-semi-space-size=25', '--max-old-space-size=461']);
    expect(heapFlags(128)).toEqual(['--max-semi-space-size=6', '--max-old-space-size=116']);
  });

  it('never runs more containers than the reserved concurrency; callers wait their turn', async ({
    expect,
  }) => {
    const outcomes = await Promise.all([1, 2, 3].map(() => runtime.invoke('single', { ms: 50 })));
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(stats('single')).toMatchObject({ containers: 1, coldStarts: 1, invocations: 3 });
  });

  it('stop() kills every container process', async ({ expect }) => {
    const outcomes = await Promise.all([1, 2].map((n) => runtime.invoke('survivor', { n })));
    const pids = outcomes.map((outcome) => (outcome.ok ? (JSON.parse(outcome.payload) as Echo).pid : -1));
    const other = new LocalLambdaRuntime();
    other.register({ name: 'echo', handler: { file: fixture('echo.ts'), export: 'handler' }, ...base });
    await other.start();
    const both = await Promise.all([other.invoke('echo', {}), other.invoke('echo', {})]);
    const otherPids = both.map((outcome) => (outcome.ok ? (JSON.parse(outcome.payload) as Echo).pid : -1));
    expect(new Set(otherPids).size).toBe(2);
    expect(otherPids.every(isRunning)).toBe(true);
    await other.stop();
    expect(otherPids.some(isRunning)).toBe(false);
    expect(pids.every(isRunning)).toBe(true);
  });
});
