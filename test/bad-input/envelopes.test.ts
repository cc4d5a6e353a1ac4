/**
 * Corrupt, truncated, wrong-version and foreign messages sent to a worker, asynchronously (one event, which
 * Lambda retries and then dead-letters with the error as reason) and from its SQS queue (one message of a
 * batch, reported alone so the others are not held back). docs/bad-input.md E1-E10.
 */
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { describe, expect, it } from 'vitest';
import { configFactory } from '../../harness/support/factories.js';
import { createWorker, MisroutedEnvelopeError } from '../../lib/delivery/index.js';
import { EnvelopeError, encodeEnvelope, type OversizeNotice } from '../../lib/envelope/index.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import { envelopeFactory, FakeAdapter, memoryLedger } from '../delivery/support.js';
import { sqsEventOf, workerContext } from './support.js';

const target = configFactory().targets[0]!;

function worker() {
  const adapter = new FakeAdapter();
  const handler = createWorker({
    target,
    adapter,
    ledger: memoryLedger(),
    telemetry: recordingTelemetry(),
    sleep: async () => {},
  });
  return { handler, adapter };
}

/** The error a worker throws for an async event; the adapter must not have been called. */
async function refusal(event: unknown): Promise<Error> {
  const { handler, adapter } = worker();
  const error = await handler(event, workerContext).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  expect(adapter.calls).toEqual([]);
  return error as Error;
}

const good = (): Record<string, unknown> =>
  JSON.parse(encodeEnvelope(envelopeFactory(3))) as Record<string, unknown>;

describe('bad envelopes sent to a worker', () => {
  it('E1 record data instead of an envelope: not JSON, and the data is not quoted back', async () => {
    const error = await refusal('card=4111111111111111;cvv=123');
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(error.name).toBe('EnvelopeError');
    expect(error.message).toBe("not an envelope: body is not JSON (Unexpected token 'c'; 29 characters)");
  });

  it('E2 a truncated envelope: not JSON, with the position', async () => {
    const text = encodeEnvelope(envelopeFactory(3));
    const error = await refusal(text.slice(0, Math.floor(text.length / 2)));
    expect(error.message).toMatch(
      /^not an envelope: body is not JSON \(.* in JSON at position \d+; \d+ characters\)$/,
    );
  });

  it.each([
    [2, 'unsupported envelope version 2; this worker reads version 1'],
    ['1', 'unsupported envelope version "1"; this worker reads version 1'],
    [undefined, 'unsupported envelope version undefined; this worker reads version 1'],
  ])('E3 version %j: refused, naming the version this worker reads', async (v, message) => {
    const envelope = { ...good(), v };
    expect((await refusal(envelope)).message).toBe(`not a valid envelope: v: ${message}`);
  });

  it('E4 an oversize-record notice replayed to a worker: another kind of message, named', async () => {
    const notice: OversizeNotice = {
      v: 1,
      kind: 'kinesis-fanout/oversize-record',
      target: 'output1',
      stream: 'input',
      shard: 'shardId-000000000000',
      reason: 'too big',
      bytes: 2_000_000,
      limit: 1_000_000,
      record: { id: 'x', seq: '1', pk: 'k', at: 0 },
    };
    const error = await refusal(notice);
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(error.message).toBe(
      'not a valid envelope: kind: expected "kinesis-fanout/envelope"; sentAt: expected number, got nothing; records: expected array, got nothing',
    );
  });

  it.each([
    ['null', null, '(root): expected object, got null'],
    ['a number', 42, '(root): expected object, got number'],
    ['a list', [good()], '(root): expected object, got array'],
    [
      'an empty object',
      {},
      'v: unsupported envelope version undefined; this worker reads version 1; kind: expected',
    ],
  ])('E5 %s as the event: refused as not an envelope, saying what it got', async (_, event, problem) => {
    const error = await refusal(event);
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(error.message).toContain(`not a valid envelope: ${problem}`);
  });

  it('E6 a record whose data is not base64: the whole envelope is refused before anything is delivered', async () => {
    const envelope = good();
    (envelope.records as Array<{ d: string }>)[1]!.d = 'not base64!';
    expect((await refusal(envelope)).message).toBe('not a valid envelope: records[1].d: must be base64 data');
  });

  it('E7 records with broken fields: the first three problems, each with its path', async () => {
    const envelope = good();
    const records = envelope.records as Array<Record<string, unknown>>;
    records[0]!.seq = '49x';
    records[1]!.id = '';
    delete records[2]!.pk;
    const message = (await refusal(envelope)).message;
    expect(message).toBe(
      'not a valid envelope: records[0].seq: must be a decimal sequence number; records[1].id: must be at least 1 (string); records[2].pk: expected string, got nothing',
    );
  });

  it('E8 an envelope of another target: refused as misrouted, never delivered to the wrong destination', async () => {
    const error = await refusal(envelopeFactory(2, 'output2'));
    expect(error).toBeInstanceOf(MisroutedEnvelopeError);
    expect(error.message).toContain('envelope for target "output2" reached the worker of target "output1"');
  });

  it('E9 from SQS, bad messages between good ones: only the bad ones are reported, the good ones delivered', async () => {
    const { handler, adapter } = worker();
    const text = encodeEnvelope(envelopeFactory(2));
    const notBase64 = JSON.stringify({
      ...good(),
      records: [{ ...(good().records as object[])[0], d: '%%%' }],
    });
    const result = await handler(
      sqsEventOf([
        encodeEnvelope(envelopeFactory(1, 'output1', 10)),
        text.slice(0, 40),
        encodeEnvelope(envelopeFactory(1, 'output2', 20)),
        notBase64,
        '',
        encodeEnvelope(envelopeFactory(2, 'output1', 30)),
      ]),
      workerContext,
    );
    expect(result).toEqual({
      batchItemFailures: ['m-1', 'm-2', 'm-3', 'm-4'].map((itemIdentifier) => ({ itemIdentifier })),
    });
    expect(adapter.delivered.map((r) => r.sequenceNumber)).toEqual(
      [...envelopeFactory(1, 'output1', 10).records, ...envelopeFactory(2, 'output1', 30).records].map(
        (r) => r.seq,
      ),
    );
  });

  it('E10 from SQS, a batch of nothing but bad messages: the whole batch fails, so SQS redrives it to the DLQ', async () => {
    const { handler, adapter } = worker();
    const error = await handler(sqsEventOf(['garbage', '{"v":1}']), workerContext).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FullBatchFailureError);
    const reasons = (error as FullBatchFailureError).recordErrors.map((e) => (e as Error).message);
    expect(reasons).toEqual([
      expect.stringMatching(/^not an envelope: body is not JSON/),
      expect.stringMatching(/^not a valid envelope: kind: /),
    ]);
    expect(adapter.calls).toEqual([]);
  });

  it('E11 an envelope holding the same record twice (hand-made or replayed): delivered once', async () => {
    const { handler, adapter } = worker();
    const envelope = envelopeFactory(2);
    envelope.records.push(envelope.records[0]!);
    expect(await handler(envelope, workerContext)).toMatchObject({ records: 2, delivered: 2 });
    expect(adapter.delivered).toHaveLength(2);
  });

  it('E12 a forged id (a DLQ message edited by hand): refused whole with the reason, nothing delivered', async () => {
    const envelope = envelopeFactory(3);
    envelope.records[1]!.id = 'AAAAAAAAAAAAAAAAAAAAAA';
    const error = await refusal(envelope);
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(error.message).toMatch(
      /^record 1 \(sequence number \d+\) has an id that is not the one of its position in input\/shardId-000000000000: the envelope was changed after the dispatcher built it/,
    );
  });

  it("E13 another record's id (a swapped id): refused, so the record is neither skipped as delivered nor lost", async () => {
    const { handler, adapter } = worker();
    // Record 0 is delivered; a message then carries record 5 under record 0's id.
    await handler(envelopeFactory(1), workerContext);
    const swapped = envelopeFactory(1, 'output1', 5);
    swapped.records[0]!.id = envelopeFactory(1).records[0]!.id;
    const error = await handler(swapped, workerContext).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(adapter.delivered).toHaveLength(1);
    // The record itself, in an envelope the dispatcher built, is delivered.
    expect(await handler(envelopeFactory(1, 'output1', 5), workerContext)).toMatchObject({ delivered: 1 });
  });
});
