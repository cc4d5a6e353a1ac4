import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientPool, OPERATOR_SDK_ATTEMPTS } from '../aws/clients.js';
import { naming } from '../config/naming.js';
import { bundleFunctions } from './bundle.js';
import { checkLocalCapacity } from './capacity.js';
import { LOCAL_STAGE, registerFunctions } from './functions.js';
import { EmfAggregator } from './metrics.js';
import {
  localClients,
  localRuntime,
  noticeBoard,
  serveControl,
  startWatchedEmulators,
  stopRuntime,
} from './pipeline-parts.js';
import type { LocalPipeline, LocalPipelineOptions } from './pipeline-types.js';
import { startReceiver } from './receiver.js';
import { createLocalStack } from './stack.js';
import { collectStatus } from './status-collector.js';
import { targetFailures } from './target-failures.js';

export { LOCAL_STAGE } from './functions.js';
export type { LocalPipeline, LocalPipelineOptions, LocalStopReport } from './pipeline-types.js';

/**
 * Starts the whole pipeline on this machine with the same handler code that is deployed: kinesalite, fauxqs
 * (SQS, SNS) and dynalite in child processes, watched and started again if they die, the resources of
 * `config`, a local HTTP receiver for http targets, and the local Lambda runtime running functions/dispatcher.ts
 * on the source stream's event source mapping and functions/worker.ts per target (async invoke or SQS mapping,
 * as configured), both bundled with esbuild as the deploy bundles them. Everything listens on 127.0.0.1.
 *
 * @throws LocalCapacityError for more targets than this machine can run.
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  checkLocalCapacity(options.config, options.machine);
  const port = (offset: number): number | undefined =>
    options.portBase ? options.portBase + offset : undefined;
  const notices = noticeBoard(options.onNotice);
  // Set once the stack exists: an emulator that comes back without its data needs its resources again.
  let recreate: () => Promise<unknown> = async () => {};
  const buildDir = mkdtempSync(join(tmpdir(), 'fanout-build-'));
  const [bundles, emulators] = await Promise.all([
    // A folder of its own: parallel pipelines (tests, chaos runs) must not rewrite bundles others' containers load.
    bundleFunctions(buildDir),
    startWatchedEmulators(options, notices.add, () => recreate()),
  ]);
  const stops: Array<() => Promise<unknown>> = [
    async () => rmSync(buildDir, { recursive: true, force: true }),
    () => emulators.stop(),
  ];
  const stopAll = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    // fauxqs also serves SNS and S3 (claim check) on its one endpoint.
    const env: Record<string, string> = {
      ...emulators.env,
      AWS_ENDPOINT_URL_SNS: emulators.sqs.endpoint,
      AWS_ENDPOINT_URL_S3: emulators.sqs.endpoint,
    };
    Object.assign(process.env, env);
    const clients = new ClientPool({ maxAttempts: OPERATOR_SDK_ATTEMPTS });
    const receiver = await startReceiver({
      ...(port(5) ? { port: port(5) } : {}),
      keepBodies: options.keepBodies ?? true,
    });
    stops.push(() => receiver.stop());
    const names = naming(options.config.service, LOCAL_STAGE);
    const stackClients = localClients(clients);
    const stack = await createLocalStack(options.config, names, stackClients, receiver.url);
    recreate = () => createLocalStack(options.config, names, stackClients, receiver.url);

    const metrics = new EmfAggregator();
    const runtime = localRuntime(options, env, clients, metrics, port(3));
    const runtimeStop = stopRuntime(runtime, clients, stack, options.dataDir);
    stops.push(runtimeStop.stop);
    registerFunctions(runtime, stack, names, bundles);
    env.AWS_ENDPOINT_URL_LAMBDA = await runtime.start();
    Object.assign(process.env, { AWS_ENDPOINT_URL_LAMBDA: env.AWS_ENDPOINT_URL_LAMBDA });

    const failures = targetFailures(stack, names, receiver, runtime);
    const pipeline: Omit<LocalPipeline, 'statusUrl' | 'controlUrl'> = {
      config: stack.config,
      names,
      stack,
      emulators,
      runtime,
      receiver,
      metrics,
      clients,
      failures,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      env,
      notices: notices.list,
      status: () => collectStatus(pipeline),
      stop: async () => {
        await stopAll();
        return runtimeStop.report();
      },
    };
    const control = await serveControl(pipeline, port(4));
    stops.push(() => control.close());
    const statusUrl = `${control.url}/status`;
    Object.assign(env, { FANOUT_STAGE: LOCAL_STAGE, FANOUT_LOCAL_STATUS_URL: statusUrl });
    return { ...pipeline, controlUrl: control.url, statusUrl };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
