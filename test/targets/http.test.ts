import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../lib/config/index.js';
import { TargetDestinationError } from '../../lib/targets/errors.js';
import { createHttpAdapter, HTTP_LIMITS } from '../../lib/targets/http.js';
import { adapterContextFactory, deliveryRecordFactory } from './factories.js';
import { type Receiver, startReceiver } from './http-receiver.js';

let receiver: Receiver;
let base: string;

beforeAll(async () => {
  receiver = await startReceiver();
  base = receiver.base;
});

afterAll(() => receiver.close());

beforeEach(() => {
  receiver.seen.length = 0;
  receiver.maxInFlight = 0;
});

const adapterFor = (
  path: string,
  http: Partial<NonNullable<TargetConfig['http']>> = {},
  concurrency?: number,
) =>
  createHttpAdapter(
    adapterContextFactory({
      type: 'http',
      name: 'hook',
      destination: `${base}${path}`,
      http: {
        method: 'POST',
        headers: {},
        contentType: 'application/octet-stream',
        timeoutMs: 5_000,
        allowInsecure: true,
        allowPrivate: true,
        ...http,
      },
    }),
    concurrency === undefined ? {} : { concurrency },
  );

describe('http adapter', () => {
  it('sends one request per record with the data as body and the configured and fanout headers', async () => {
    const adapter = adapterFor('/ok', {
      method: 'PUT',
      contentType: 'application/json',
      headers: { 'x-api-key': 'secret' },
    });
    const record = deliveryRecordFactory({
      key: 'hook#abc',
      partitionKey: 'kunde/ü 1',
      sequenceNumber: '4959',
      subSequence: 2,
      data: Buffer.from([0x7b, 0x7d, 0x00, 0xff]),
    });

    expect(await adapter.deliver([record])).toEqual([{ ok: true }]);
    expect(receiver.seen).toHaveLength(1);
    const [request] = receiver.seen;
    expect(request?.method).toBe('PUT');
    expect(request?.body.equals(record.data)).toBe(true);
    expect(request?.headers).toMatchObject({
      'x-api-key': 'secret',
      'content-type': 'application/json',
      'idempotency-key': 'hook#abc',
      'x-fanout-partition-key': encodeURIComponent('kunde/ü 1'),
      'x-fanout-sequence-number': '4959',
      'x-fanout-sub-sequence-number': '2',
    });
  });

  it('lets a configured Content-Type replace contentType, but not the fanout headers', async () => {
    const adapter = adapterFor('/ok', {
      headers: { 'Content-Type': 'text/csv', 'Idempotency-Key': 'forged' },
    });
    await adapter.deliver([deliveryRecordFactory({ key: 'hook#real' })]);

    expect(receiver.seen[0]?.headers['content-type']).toBe('text/csv');
    expect(receiver.seen[0]?.headers['idempotency-key']).toBe('hook#real');
  });

  it('maps a partial failure to exactly the records whose request failed', async () => {
    const adapter = adapterFor('/by-body');
    const outcomes = await adapter.deliver(
      ['a', 'fail', 'c', 'bad'].map((data) => deliveryRecordFactory({ data })),
    );

    expect(outcomes).toEqual([
      { ok: true },
      { ok: false, retryable: true, reason: 'HTTP 503: busy' },
      { ok: true },
      { ok: false, retryable: false, reason: 'HTTP 422: no' },
    ]);
  });

  it('treats 500 and 429 as retryable and 400 as permanent, quoting the response body', async () => {
    const [five] = await adapterFor('/500').deliver([deliveryRecordFactory()]);
    const [four] = await adapterFor('/400').deliver([deliveryRecordFactory()]);
    const [throttled] = await adapterFor('/429').deliver([deliveryRecordFactory()]);

    expect(five).toEqual({ ok: false, retryable: true, reason: 'HTTP 500: upstream exploded' });
    expect(four).toEqual({ ok: false, retryable: false, reason: 'HTTP 400: {"error":"invalid"}' });
    expect(throttled).toEqual({ ok: false, retryable: true, reason: 'HTTP 429: slow down' });
  });

  it('does not follow a redirect: a permanent failure naming the Location', async () => {
    const [outcome] = await adapterFor('/302').deliver([deliveryRecordFactory()]);

    expect(outcome).toEqual({
      ok: false,
      retryable: false,
      reason: `HTTP 302 redirect to ${base}/moved not followed`,
    });
    expect(receiver.seen.map((s) => s.path)).toEqual(['/302']);
  });

  it('gives up on a server that never answers after timeoutMs, retryably', async () => {
    const [outcome] = await adapterFor('/hang', { timeoutMs: 100 }).deliver([deliveryRecordFactory()]);

    expect(outcome).toEqual({ ok: false, retryable: true, reason: 'HTTP request timed out after 100 ms' });
  });

  it("names the invocation's deadline, not its own timeout, when the deadline stops a request", async () => {
    const [outcome] = await adapterFor('/hang', { timeoutMs: 5_000 }).deliver(
      [deliveryRecordFactory()],
      AbortSignal.timeout(50),
    );

    expect(outcome).toEqual({
      ok: false,
      retryable: true,
      reason: "HTTP request stopped at the invocation's deadline (its outcome is unknown)",
    });
  });

  it('stops when the caller aborts, retryably', async () => {
    const controller = new AbortController();
    const pending = adapterFor('/hang').deliver([deliveryRecordFactory()], controller.signal);
    controller.abort();

    expect(await pending).toEqual([
      { ok: false, retryable: true, reason: 'HTTP request aborted by the caller' },
    ]);
  });

  it('reports a connection failure as retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const adapter = createHttpAdapter(
      adapterContextFactory({
        type: 'http',
        destination: `http://127.0.0.1:${port}/`,
        http: {
          method: 'POST',
          headers: {},
          contentType: 'text/plain',
          timeoutMs: 5_000,
          allowInsecure: true,
          allowPrivate: true,
        },
      }),
    );

    const [outcome] = await adapter.deliver([deliveryRecordFactory()]);

    expect(outcome).toMatchObject({
      ok: false,
      retryable: true,
      reason: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('does not read an endless 2xx body: the record is delivered', async () => {
    expect(await adapterFor('/huge-ok').deliver([deliveryRecordFactory()])).toEqual([{ ok: true }]);
  });

  it('reads at most 64 KiB of an endless error body and quotes its first 200 characters', async () => {
    const [outcome] = await adapterFor('/huge-error').deliver([deliveryRecordFactory()]);

    expect(outcome).toEqual({ ok: false, retryable: true, reason: `HTTP 500: ${'z'.repeat(200)}` });
  });

  it('keeps at most `concurrency` requests in flight, over every deliver call', async () => {
    const adapter = adapterFor('/slow', {}, 2);

    const outcomes = await Promise.all([
      adapter.deliver(Array.from({ length: 3 }, () => deliveryRecordFactory())),
      adapter.deliver(Array.from({ length: 3 }, () => deliveryRecordFactory())),
    ]);

    expect(outcomes.flat()).toEqual(Array(6).fill({ ok: true }));
    expect(receiver.maxInFlight).toBe(2);
  });

  it('refuses plain http unless allowInsecure, and any other protocol', () => {
    const context = (destination: string, allowInsecure: boolean) =>
      adapterContextFactory({
        type: 'http',
        destination,
        http: {
          method: 'POST',
          headers: {},
          contentType: 'text/plain',
          timeoutMs: 1_000,
          allowInsecure,
          allowPrivate: false,
        },
      });

    expect(() => createHttpAdapter(context('http://example.com/hook', false))).toThrow(
      TargetDestinationError,
    );
    expect(() => createHttpAdapter(context('http://example.com/hook', false))).toThrow(/allowInsecure/);
    expect(() =>
      createHttpAdapter(adapterContextFactory({ type: 'http', destination: 'http://example.com/' })),
    ).toThrow(TargetDestinationError);
    expect(() => createHttpAdapter(context('ftp://example.com/hook', true))).toThrow(/protocol ftp:/);
    expect(() => createHttpAdapter(context('not a url', true))).toThrow(/is not a URL/);
    expect(createHttpAdapter(context('http://example.com/hook', true)).type).toBe('http');
    expect(createHttpAdapter(context('https://example.com/hook', false)).type).toBe('http');
  });

  it('refuses a configured header that is not a valid header when created', () => {
    const context = adapterContextFactory({
      type: 'http',
      destination: 'https://example.com/hook',
      http: {
        method: 'POST',
        headers: { 'bad header': 'x' },
        contentType: 'text/plain',
        timeoutMs: 1_000,
        allowInsecure: false,
        allowPrivate: false,
      },
    });
    expect(() => createHttpAdapter(context)).toThrow(/invalid configured header/);
  });

  it('declares one request per record, 100 records per call, 6 MiB per record', () => {
    const adapter = adapterFor('/ok');
    expect(adapter.limits).toEqual(HTTP_LIMITS);
    expect(adapter.limits).toMatchObject({ maxRecords: 16, maxRecordBytes: 6_291_456, parallelCalls: 16 });
    expect(adapter.sizeOf(deliveryRecordFactory({ data: Buffer.alloc(6_291_456) }))).toBe(
      adapter.limits.maxRecordBytes,
    );
    expect(adapter.sizeOf(deliveryRecordFactory({ data: Buffer.alloc(6_291_457) }))).toBe(
      adapter.limits.maxRecordBytes + 1,
    );
  });
});
