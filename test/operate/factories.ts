import { sequenceNumber } from '../../harness/support/factories.js';
import { encodeEnvelope } from '../../lib/envelope/codec.js';
import { recordId } from '../../lib/envelope/keys.js';
import {
  ENVELOPE_KIND,
  type Envelope,
  OVERSIZE_KIND,
  type OversizeNotice,
} from '../../lib/envelope/types.js';
import type { TargetStatus } from '../../lib/operate/status/types.js';

/** An envelope of `count` records `{"log":"Record i"}` for `target`, records numbered from `first`. */
export function envelopeFactory(target: string, count = 2, first = 0): Envelope {
  return {
    v: 1,
    kind: ENVELOPE_KIND,
    target,
    stream: 'input',
    shard: 'shardId-000000000000',
    sentAt: 1_700_000_000_000,
    records: Array.from({ length: count }, (_, i) => {
      const seq = sequenceNumber(first + i);
      return {
        id: recordId('input', 'shardId-000000000000', seq),
        seq,
        pk: `key-${first + i}`,
        at: 1_700_000_000_000,
        d: Buffer.from(`{"log":"Record ${first + i}"}`).toString('base64'),
      };
    }),
  };
}

/** Lambda's on-failure destination record of an async invocation of `envelope`. */
export function destinationRecordFactory(
  envelope: Envelope | unknown,
  overrides: { errorMessage?: string; timestamp?: string; withResponse?: boolean } = {},
): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: overrides.timestamp ?? '2024-01-01T00:00:00.000Z',
    requestContext: {
      requestId: 'b1c2',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fanout-dev-webhook-worker:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: envelope,
    ...(overrides.withResponse === false
      ? {}
      : {
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          responsePayload: {
            errorType: 'DeliveryError',
            errorMessage:
              overrides.errorMessage ??
              '2 record(s) not delivered to target "webhook" (0 delivered): HTTP 500',
          },
        }),
  });
}

/** The dispatcher's notice of an oversize record. */
export function oversizeNoticeFactory(target: string, seq = sequenceNumber(7)): OversizeNotice {
  return {
    v: 1,
    kind: OVERSIZE_KIND,
    target,
    stream: 'input',
    shard: 'shardId-000000000000',
    reason:
      'record of 2000000 bytes needs a 2666800-byte envelope entry, over the 1000000-byte hand-off limit',
    bytes: 2_666_800,
    limit: 1_000_000,
    record: { id: recordId('input', 'shardId-000000000000', seq), seq, pk: 'big', at: 1_700_000_000_000 },
  };
}

export const envelopeBody = (target: string, count = 2): string =>
  encodeEnvelope(envelopeFactory(target, count));

/** A local-mode target's status: an http target via invoke, 60 records routed, 10 delivered, 50 in its DLQ. */
export const targetStatusFactory = (name: string, overrides: Partial<TargetStatus> = {}): TargetStatus => ({
  name,
  type: 'http',
  via: 'invoke',
  destination: `http://127.0.0.1:1/${name}`,
  concurrency: 5,
  routed: 60,
  handedOff: 60,
  delivered: 10,
  skipped: 0,
  inFlight: 0,
  retried: 0,
  throttled: 0,
  errors: 0,
  dlqRecords: 50,
  dlqMessages: 2,
  ...overrides,
});
