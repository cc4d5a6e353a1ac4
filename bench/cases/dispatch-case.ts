/**
 * One dispatcher case, in a process of its own so its CPU time and peak RSS are its own: the real dispatcher
 * (createDispatcher + awsHandoff on ClientPool clients) handing a batch off to the stub endpoint, which the
 * parent named in `AWS_ENDPOINT_URL_LAMBDA` / `AWS_ENDPOINT_URL_SQS`.
 * Usage: node --import tsx bench/cases/dispatch-case.ts '<DispatchCaseInput JSON>'
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ClientPool } from '../../lib/aws/clients.js';
import { lazyS3ClaimCheckStore } from '../../lib/claim-check/lazy.js';
import { parseConfig } from '../../lib/config/load.js';
import { naming } from '../../lib/config/naming.js';
import { createDispatcher } from '../../lib/dispatch/dispatcher.js';
import { awsHandoff } from '../../lib/handoff/aws.js';
import { METRICS, recordingTelemetry } from '../../lib/observability/telemetry.js';
import { resetStub, stubStats } from '../stub/control.js';
import type { StubStats } from '../stub/protocol.js';
import { type BatchShape, batchEvent, batchSize } from './events.js';
import { benchContext, caseInput, emit, measure, peakRss } from './harness.js';

export interface DispatchCaseInput {
  shape: BatchShape;
  targets: number;
  via: 'invoke' | 'queue';
  warmup: number;
  iterations: number;
  endpoint: string;
}

export interface DispatchCaseResult {
  wallMs: number[];
  cpuMs: number[];
  eventBytes: number;
  dataBytes: number;
  /** Hand-off calls per target per batch, from the dispatcher's own HandoffCalls counter. */
  callsPerTarget: number;
  /** Envelope bytes handed off per batch, over all targets (HandoffBytes). */
  handoffBytes: number;
  /** Calls and request-body bytes per batch as the stub counted them (GetQueueUrl excluded). */
  stubCalls: number;
  stubBytes: number;
  /** Batches whose response listed a failed record (should be 0). */
  failedBatches: number;
  /** RSS after start-up, before the batch was built; peak RSS after the first batch, and of the whole run. */
  idleRss: number;
  firstBatchPeakRss: number;
  peakRss: number;
  protocols: StubStats['protocols'];
}

const input = caseInput<DispatchCaseInput>();
const idleRss = process.memoryUsage().rss;

const config = parseConfig({
  service: 'fanout',
  source: { stream: 'input' },
  targets: Array.from({ length: input.targets }, (_, i) => ({
    name: `t${i + 1}`,
    type: 'kinesis',
    destination: `out${i + 1}`,
    // The unordered hand-offs (invoke, a standard queue): kinesis targets are ordered by default.
    ordered: false,
    via: input.via,
  })),
});
// One pool per container, as in functions/dispatcher.ts; it reads AWS_ENDPOINT_URL_* set by the parent.
const clients = new ClientPool({ maxSockets: Math.max(64, config.dispatcher.handoffConcurrency * 2) });
const telemetry = recordingTelemetry();
const dispatch = createDispatcher({
  config,
  names: naming(config.service, 'bench'),
  handoff: awsHandoff(clients.get(LambdaClient), clients.get(SQSClient)),
  telemetry,
  // The claim check is on by default, wired as lib/wiring/dispatcher.ts does it: the S3 client loads only when a
  // record is too large for an envelope, which no bench shape is.
  claimCheck: { store: lazyS3ClaimCheckStore(clients), bucket: 'fanout-bench-claims' },
});

const event = batchEvent(input.shape);
const size = batchSize(event);
let failedBatches = 0;
let callsBefore = 0;
let bytesBefore = 0;
const totals = (): { calls: number; bytes: number } => {
  let calls = 0;
  let bytes = 0;
  for (const t of config.targets) {
    calls += telemetry.counter(METRICS.handoffCalls, t.name);
    bytes += telemetry.counter(METRICS.handoffBytes, t.name);
  }
  return { calls, bytes };
};

const batch = async (): Promise<void> => {
  const out = await dispatch(event, benchContext);
  if (out.batchItemFailures.length > 0) failedBatches++;
};
// The first batch is a warm-up batch too; the RSS after it is what a fresh container needs for one batch.
await batch();
const firstBatchPeakRss = peakRss();
const samples = await measure(batch, {
  warmup: input.warmup - 1,
  iterations: input.iterations,
  ready: async () => {
    ({ calls: callsBefore, bytes: bytesBefore } = totals());
    await resetStub(input.endpoint);
  },
});
const after = totals();
const stub = await stubStats(input.endpoint);
let stubCalls = 0;
let stubBytes = 0;
for (const [key, r] of Object.entries(stub.resources)) {
  if (key.startsWith('GetQueueUrl ')) continue;
  stubCalls += r.calls;
  stubBytes += r.bytes;
}

const n = input.iterations;
emit({
  ...samples,
  ...size,
  callsPerTarget: (after.calls - callsBefore) / n / input.targets,
  handoffBytes: (after.bytes - bytesBefore) / n,
  stubCalls: stubCalls / n,
  stubBytes: stubBytes / n,
  failedBatches,
  idleRss,
  firstBatchPeakRss,
  peakRss: peakRss(),
  protocols: stub.protocols,
} satisfies DispatchCaseResult);
