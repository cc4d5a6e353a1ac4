/** The worker side of the claim check and of discovered streams. */
import { describe, expect, it } from 'vitest';
import { configFactory } from '../../harness/support/factories.js';
import { ClaimCheckError, type ClaimCheckStore } from '../../lib/claim-check/index.js';
import {
  createWorker,
  DeliveryError,
  deliverEnvelope,
  MisroutedEnvelopeError,
} from '../../lib/delivery/index.js';
import type { Envelope } from '../../lib/envelope/index.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import { envelopeFactory, FakeAdapter, memoryLedger } from './support.js';

/** Replaces record `i`'s data with a pointer to `key` in bucket `claims`. */
function claimed(envelope: Envelope, i: number, key: string): Envelope {
  const { d: _d, ...position } = envelope.records[i]!;
  envelope.records[i] = { ...position, s3: { b: 'claims', k: key, n: 10 } };
  return envelope;
}

function store(objects: Record<string, string>) {
  const reads: string[] = [];
  const claimCheck: ClaimCheckStore = {
    put: async () => {},
    async get(_bucket, key) {
      reads.push(key);
      const data = objects[key];
      if (data === undefined) throw new ClaimCheckError(`s3://claims/${key} is gone (NoSuchKey)`, false);
      return Buffer.from(data);
    },
  };
  return { claimCheck, reads };
}

const deps = (adapter: FakeAdapter, claimCheck?: ClaimCheckStore, keys = memoryLedger()) => ({
  adapter,
  ledger: keys,
  telemetry: recordingTelemetry(),
  deadline: Date.now() + 30_000,
  sleep: async () => {},
  ...(claimCheck ? { claimCheck } : {}),
});

describe('deliverEnvelope with claim-checked records', () => {
  it('reads the data from the store and delivers it in the record’s place', async () => {
    const { claimCheck, reads } = store({ 'big/1': '{"log":"large record"}' });
    const adapter = new FakeAdapter();
    await deliverEnvelope(claimed(envelopeFactory(3), 1, 'big/1'), deps(adapter, claimCheck));
    expect(adapter.delivered.map((r) => r.data.toString())).toEqual([
      '{"log":"Record 0"}',
      '{"log":"large record"}',
      '{"log":"Record 2"}',
    ]);
    expect(reads).toEqual(['big/1']);
  });

  it('does not read a record that was delivered before (a retried envelope)', async () => {
    const { claimCheck, reads } = store({ 'big/1': 'x' });
    const keys = memoryLedger();
    const envelope = claimed(envelopeFactory(3), 1, 'big/1');
    const record = envelope.records[1]!;
    keys.recordDelivered({ scope: 'output1', stream: envelope.stream, shard: envelope.shard }, [
      { seq: record.seq, sub: record.sub },
    ]);
    await deliverEnvelope(envelope, deps(new FakeAdapter(), claimCheck, keys));
    expect(reads).toEqual([]);
  });

  it('fails a record whose object is gone for good, with the reason, and delivers the rest', async () => {
    const { claimCheck } = store({});
    const adapter = new FakeAdapter();
    const error = (await deliverEnvelope(
      claimed(envelopeFactory(3), 1, 'big/1'),
      deps(adapter, claimCheck),
    ).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.failures).toMatchObject([
      { retryable: false, reason: 's3://claims/big/1 is gone (NoSuchKey)' },
    ]);
    expect(adapter.delivered).toHaveLength(2);
  });

  it('fails a claim-checked record clearly when the worker has no claim store', async () => {
    const error = (await deliverEnvelope(claimed(envelopeFactory(1), 0, 'k'), deps(new FakeAdapter())).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    expect(error.failures[0]?.reason).toMatch(/no claim store: its configuration has no `claimCheck`/);
  });
});

describe('worker of a discovered target', () => {
  const config = configFactory({ discover: { kinesisStreamPrefix: 'app-output-' } });
  const target = config.targets.find((t) => t.name === 'discovered')!;
  const context = { getRemainingTimeInMillis: () => 30_000 };

  function worker() {
    const adapters = new Map<string, FakeAdapter>();
    const keys = memoryLedger();
    const handler = createWorker({
      target,
      adapter: new FakeAdapter(),
      destinations: {
        prefix: 'app-output-',
        adapterFor: (destination) => {
          const adapter = adapters.get(destination) ?? new FakeAdapter();
          adapters.set(destination, adapter);
          return adapter;
        },
      },
      ledger: keys,
      telemetry: recordingTelemetry(),
    });
    return { handler, adapters, keys };
  }
  const to = (dest: string | undefined, target = 'discovered'): Envelope => ({
    ...envelopeFactory(2, target),
    ...(dest ? { dest } : {}),
  });

  it('delivers each envelope to the stream it names, remembering deliveries per stream', async () => {
    const { handler, adapters, keys } = worker();
    await handler(to('app-output-a'), context);
    await handler(to('app-output-b'), context);
    expect([...adapters.keys()]).toEqual(['app-output-a', 'app-output-b']);
    expect(adapters.get('app-output-b')?.delivered).toHaveLength(2);
    expect(keys.deliveredTo('discovered>app-output-a')).toBe(2);
    expect(keys.deliveredCount()).toBe(4);
  });

  it('refuses an envelope without a destination, or with one outside the prefix', async () => {
    const { handler } = worker();
    await expect(handler(to(undefined), context)).rejects.toThrow(/names no destination/);
    await expect(handler(to('billing'), context)).rejects.toBeInstanceOf(MisroutedEnvelopeError);
  });

  it('makes any other worker refuse an envelope that names a destination', async () => {
    const handler = createWorker({
      target: config.targets[0]!,
      adapter: new FakeAdapter(),
      ledger: memoryLedger(),
      telemetry: recordingTelemetry(),
    });
    await expect(handler(to('app-output-a', 'output1'), context)).rejects.toThrow(
      /names destination "app-output-a", but target "output1" delivers only to its own destination/,
    );
  });
});
