import { KinesisClient } from '@aws-sdk/client-kinesis';
import { parseConfig } from '../../lib/config/index.js';
import { PipelineCpu } from './cpu.js';
import { DeliveryLog, drain, latencyOf, receiverDeliveries, streamDeliveries } from './deliveries.js';
import { startBenchPipeline } from './pipeline.js';
import { PutLedger, produceSteadily } from './producer.js';

const rates = (process.argv[2] ?? '500,1000,2000').split(',').map(Number);
const secs = Number(process.argv[3] ?? 10);
const idem = process.argv[4] ?? 'default';
const batchSize = Number(process.argv[5] ?? 100);
const extra = idem === 'none' ? { idempotency: 'none' } : {};
const config = parseConfig({
  source: { stream: 'input', batchSize },
  targets: [
    { name: 'out-a', type: 'kinesis', destination: 'out-a', ...extra },
    { name: 'out-b', type: 'kinesis', destination: 'out-b', ...extra },
    {
      name: 'hook',
      type: 'http',
      destination: 'https://example.com/hook',
      via: 'queue',
      ...(idem === 'none' ? { idempotency: 'none' } : {}),
    },
  ],
});
const t0 = Date.now();
const bp = await startBenchPipeline(config);
console.error('started in', Date.now() - t0);
const p = bp.pipeline;
const kinesis = p.clients.get(KinesisClient as never) as any;
const ledger = new PutLedger();
const sources = [
  streamDeliveries(kinesis, 'out-a', new DeliveryLog('out-a')),
  streamDeliveries(kinesis, 'out-b', new DeliveryLog('out-b')),
  receiverDeliveries(p.receiver, '/hook', new DeliveryLog('hook')),
];
const cpu = new PipelineCpu(p, (fn) => fn.replace(/^fanout-local-/, '').replace(/-worker$/, ''));
// warm-up
const w = await produceSteadily(kinesis, 'input', ledger, { rate: 200, seconds: 3, recordBytes: 200 });
console.error('warm drain', await drain(sources, w.first, w.count, 60000));
cpu.take();
for (const rate of rates) {
  const run = await produceSteadily(kinesis, 'input', ledger, { rate, seconds: secs, recordBytes: 200 });
  const c = cpu.take();
  const d = bp.summarize(p.names.dispatcherFunction(), run.startedAt, run.endedAt);
  const dr = await drain(sources, run.first, run.count, 60000);
  console.log(
    JSON.stringify({
      rate,
      achieved: run.achievedRate.toFixed(0),
      maxBehind: run.maxBehind,
      drain: dr,
      dispatcher: d,
      targets: sources.map((s) => ({
        t: s.log.name,
        dup: s.log.duplicates,
        ...latencyOf(ledger, s.log, run.first, run.count, run.endedAt),
      })),
      cpu: Object.fromEntries(Object.entries(c.groups).map(([k, v]) => [k, Math.round(v)])),
      outside: Math.round(c.outside),
      machine: Math.round(c.machine),
    }),
  );
  const w2 = bp.summarize('fanout-local-out-a-worker', run.startedAt, run.endedAt);
  console.log(
    'worker out-a',
    JSON.stringify(w2),
    'hook',
    JSON.stringify(bp.summarize('fanout-local-hook-worker', run.startedAt, run.endedAt)),
  );
}
await bp.stop();
