import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ClientPool } from '../aws/clients.js';
import { FUNCTION_ENV } from '../config/env.js';
import { type Naming, naming } from '../config/naming.js';
import type { FanoutConfig } from '../config/schema.js';
import { bundleFunctions, type FunctionBundles } from './bundle.js';
import { type EmulatorSet, startEmulators } from './emulators.js';
import { EmfAggregator } from './metrics.js';
import { type LocalReceiver, startReceiver } from './receiver.js';
import { LocalLambdaRuntime } from './runtime/index.js';
import type { ContainerLogLine } from './runtime/types.js';
import { createLocalStack, type LocalStack } from './stack.js';
import type { PipelineStatus } from './status.js';
import { collectStatus } from './status-collector.js';

export const LOCAL_STAGE = 'local';

export interface LocalPipelineOptions {
  config: FanoutConfig;
  /** First of five consecutive ports (kinesis, sqs, dynamodb, lambda, status); default: free ports. */
  portBase?: number;
  /** Keep emulator state (streams, table) in this folder across runs. */
  dataDir?: string;
  /** Multiplies Lambda's long waits (async retry delays of 1 and 2 minutes, event ages). */
  timeScale?: number;
  /** Every line the functions print (logs and EMF metrics). */
  onLog?: (line: ContainerLogLine) => void;
  /** Keep every body the local HTTP receiver accepts (tests); default true. */
  keepBodies?: boolean;
  /** Extra variables for the functions only, over the emulator endpoints (chaos runs put proxies there). */
  functionEnv?: Record<string, string>;
}

/** A running local pipeline: emulators, resources, the local Lambda runtime with the real handlers. */
export interface LocalPipeline {
  config: FanoutConfig;
  names: Naming;
  stack: LocalStack;
  emulators: EmulatorSet;
  runtime: LocalLambdaRuntime;
  receiver: LocalReceiver;
  metrics: EmfAggregator;
  clients: ClientPool;
  /** Endpoints, region and dummy credentials for any SDK or the AWS CLI; also written to .fanout/local.env. */
  env: Record<string, string>;
  statusUrl: string;
  status(): Promise<PipelineStatus>;
  stop(): Promise<void>;
}

/**
 * Starts the whole pipeline on this machine with the same handler code that is deployed: kinesalite, fauxqs
 * (SQS, SNS) and dynalite in child processes, the resources of `config`, a local HTTP receiver for http
 * targets, and the local Lambda runtime running functions/dispatcher.ts on the source stream's event source
 * mapping and functions/worker.ts per target (async invoke or SQS mapping, as configured), both bundled with
 * esbuild as the deploy bundles them.
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const port = (offset: number): number | undefined =>
    options.portBase ? options.portBase + offset : undefined;
  const buildDir = mkdtempSync(join(tmpdir(), 'fanout-build-'));
  const [bundles, emulators] = await Promise.all([
    // A folder of its own: parallel pipelines (tests, chaos runs) must not rewrite bundles others' containers load.
    bundleFunctions(buildDir),
    startEmulators({
      ...(options.portBase ? { portBase: options.portBase } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    }),
  ]);
  const stops: Array<() => Promise<void>> = [
    async () => rmSync(buildDir, { recursive: true, force: true }),
    () => emulators.stop(),
  ];
  const stop = async (): Promise<void> => {
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
    const clients = new ClientPool({ maxAttempts: 3 });
    const receiver = await startReceiver({
      ...(port(5) ? { port: port(5) } : {}),
      keepBodies: options.keepBodies ?? true,
    });
    stops.push(() => receiver.stop());
    const names = naming(options.config.service, LOCAL_STAGE);
    const stack = await createLocalStack(
      options.config,
      names,
      {
        kinesis: clients.get(KinesisClient),
        sqs: clients.get(SQSClient),
        sns: clients.get(SNSClient),
        dynamo: clients.get(DynamoDBClient),
        s3: clients.get(S3Client),
      },
      receiver.url,
    );

    const metrics = new EmfAggregator();
    const runtime = new LocalLambdaRuntime({
      sqs: clients.get(SQSClient),
      kinesis: clients.get(KinesisClient),
      env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...options.functionEnv },
      ...(options.timeScale ? { timeScale: options.timeScale } : {}),
      ...(port(3) ? { port: port(3) } : {}),
      onLog: (line) => {
        metrics.ingest(line.line);
        options.onLog?.(line);
      },
    });
    stops.push(() => runtime.stop());
    registerFunctions(runtime, stack, names, bundles);
    env.AWS_ENDPOINT_URL_LAMBDA = await runtime.start();
    Object.assign(process.env, { AWS_ENDPOINT_URL_LAMBDA: env.AWS_ENDPOINT_URL_LAMBDA });

    const pipeline: Omit<LocalPipeline, 'statusUrl'> = {
      config: stack.config,
      names,
      stack,
      emulators,
      runtime,
      receiver,
      metrics,
      clients,
      env,
      status: () => collectStatus(pipeline),
      stop,
    };
    const statusServer = await serveStatus(() => pipeline.status(), port(4));
    stops.push(() => new Promise((resolve) => statusServer.close(() => resolve())));
    const statusUrl = `http://127.0.0.1:${(statusServer.address() as AddressInfo).port}/status`;
    Object.assign(env, { FANOUT_STAGE: LOCAL_STAGE, FANOUT_LOCAL_STATUS_URL: statusUrl });
    return { ...pipeline, statusUrl };
  } catch (error) {
    await stop();
    throw error;
  }
}

function registerFunctions(
  runtime: LocalLambdaRuntime,
  stack: LocalStack,
  names: Naming,
  bundles: FunctionBundles,
): void {
  const { config } = stack;
  const functionEnv = {
    [FUNCTION_ENV.configJson]: JSON.stringify(config),
    [FUNCTION_ENV.stage]: LOCAL_STAGE,
    POWERTOOLS_METRICS_NAMESPACE: 'KinesisFanout',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ...(stack.claimCheckBucket ? { [FUNCTION_ENV.claimCheckBucket]: stack.claimCheckBucket } : {}),
  };
  runtime.register({
    name: names.dispatcherFunction(),
    handler: { file: bundles.dispatcher, export: 'handler' },
    env: functionEnv,
    timeoutSeconds: config.dispatcher.timeout,
    memoryMb: config.dispatcher.memory,
  });
  runtime.addKinesisMapping({
    functionName: names.dispatcherFunction(),
    streamName: stack.sourceStream,
    batchSize: config.source.batchSize,
    maximumBatchingWindowInSeconds: config.source.batchWindow,
    parallelizationFactor: config.source.parallelizationFactor,
    startingPosition: config.source.startingPosition,
    ...(config.source.startingPositionTimestamp
      ? { startingPositionTimestamp: config.source.startingPositionTimestamp }
      : {}),
    maximumRetryAttempts: config.source.maxRetryAttempts,
    maximumRecordAgeInSeconds: config.source.maxRecordAge,
    bisectBatchOnFunctionError: config.source.bisectOnError,
    reportBatchItemFailures: true,
    onFailureQueueUrl: stack.failureQueueUrl,
  });

  for (const target of config.targets) {
    const local = stack.targets.find((t) => t.name === target.name);
    if (!local || !target.enabled) continue;
    runtime.register({
      name: names.workerFunction(target.name),
      handler: { file: bundles.worker, export: 'handler' },
      env: { ...functionEnv, [FUNCTION_ENV.target]: target.name },
      timeoutSeconds: target.timeout,
      memoryMb: target.memory,
      ...(target.via === 'invoke'
        ? {
            reservedConcurrency: target.concurrency,
            async: {
              maxRetryAttempts: target.retries,
              maxEventAgeSeconds: target.maxEventAge,
              onFailureQueueUrl: local.dlqUrl,
            },
          }
        : {}),
    });
    if (target.via === 'queue' && local.queueUrl) {
      runtime.addSqsMapping({
        functionName: names.workerFunction(target.name),
        queueUrl: local.queueUrl,
        batchSize: target.batchSize,
        maximumBatchingWindowInSeconds: target.batchSize > 10 ? 1 : 0,
        maximumConcurrency: target.concurrency,
        reportBatchItemFailures: true,
      });
    }
  }
}

function serveStatus(read: () => Promise<PipelineStatus>, port: number | undefined): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/status') {
      res.writeHead(404).end();
      return;
    }
    read()
      .then((status) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status)),
      )
      .catch((error: Error) => res.writeHead(500).end(error.message));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve(server));
  });
}
