/** The worker's transform hook: records are projected after decoding and before the adapter sees them. */
import { describe, expect, it } from 'vitest';
import { configFactory } from '../../harness/support/factories.js';
import { createWorker, DeliveryError, deliverEnvelope } from '../../lib/delivery/index.js';
import type { Envelope } from '../../lib/envelope/index.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import { compileTransform } from '../../lib/routing/index.js';
import { envelopeFactory, FakeAdapter, memoryLedger } from './support.js';

/** An envelope whose record 1 is plain text rather than JSON. */
function mixedEnvelope(): Envelope {
  const envelope = envelopeFactory(3);
  const second = envelope.records[1];
  if (second) second.d = Buffer.from('plain text').toString('base64');
  return envelope;
}

describe('deliverEnvelope with a transform', () => {
  it('hands the adapter the transformed data, sized after the transform', async () => {
    // `{"log":"Record 0"}` is 18 bytes, over the 10-byte limit; its transform `Record 0` is 8.
    const adapter = new FakeAdapter({
      maxRecords: 10,
      maxBytes: 10_000,
      maxRecordBytes: 10,
      parallelCalls: 1,
    });
    const summary = await deliverEnvelope(envelopeFactory(3), {
      adapter,
      ledger: memoryLedger(),
      telemetry: recordingTelemetry(),
      deadline: Date.now() + 60_000,
      transform: compileTransform('$.log', 'output1'),
    });
    expect(summary).toMatchObject({ delivered: 3 });
    expect(adapter.delivered.map((r) => r.data.toString())).toEqual(['Record 0', 'Record 1', 'Record 2']);
  });

  it('fails a record that is not JSON permanently with the reason, and delivers the others', async () => {
    const adapter = new FakeAdapter();
    const store = memoryLedger();
    const error = await deliverEnvelope(mixedEnvelope(), {
      adapter,
      ledger: store,
      telemetry: recordingTelemetry(),
      deadline: Date.now() + 60_000,
      transform: compileTransform({ LOG: '$.log' }, 'output1'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).failures).toEqual([
      {
        key: expect.stringMatching(/^output1#/),
        sequenceNumber: mixedEnvelope().records[1]?.seq,
        retryable: false,
        reason: 'record data is not JSON (target "output1" has a transform)',
      },
    ]);
    expect(adapter.delivered.map((r) => r.data.toString())).toEqual([
      '{"LOG":"Record 0"}',
      '{"LOG":"Record 2"}',
    ]);
    expect(store.deliveredCount()).toBe(2);
  });
});

describe('createWorker with a transform in the target config', () => {
  it('compiles the target transform once and applies it to every envelope', async () => {
    const target = configFactory({
      targets: [
        { name: 'output1', type: 'kinesis', destination: 'output1', transform: { LOG: '$.log', src: 'app' } },
      ],
    }).targets[0];
    if (!target) throw new Error('no target');
    const adapter = new FakeAdapter();
    const handler = createWorker({
      target,
      adapter,
      ledger: memoryLedger(),
      telemetry: recordingTelemetry(),
      sleep: async () => {},
    });
    await handler(envelopeFactory(2), { getRemainingTimeInMillis: () => 30_000 });
    expect(adapter.delivered.map((r) => r.data.toString())).toEqual([
      '{"LOG":"Record 0","src":"app"}',
      '{"LOG":"Record 1","src":"app"}',
    ]);
  });
});
