/** The parts {@link startLocalPipeline} assembles: notices, watched emulators, the runtime, the control server. */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientPool } from '../aws/clients.js';
import { LocalLambdaRuntime, type RuntimeStopReport } from '../lambda-emulator/index.js';
import { type ControlServer, startControlServer } from './control-server.js';
import { emulatorNotice } from './emulator-notices.js';
import { type EmulatorSet, startEmulators } from './emulator-set.js';
import { LocalModeError } from './errors.js';
import type { EmfAggregator } from './metrics.js';
import type { LocalPipeline, LocalPipelineOptions, LocalStopReport } from './pipeline-types.js';
import { countQueuedMessages } from './queued-messages.js';
import type { LoggedRequest } from './receiver.js';
import type { LocalClients, LocalStack } from './stack.js';

/** Notices kept for the live view and `fanout status`. */
const NOTICES_KEPT = 10;

/** The last {@link NOTICES_KEPT} notices, each stamped with its time; each is also told at once. */
export function noticeBoard(onNotice: ((notice: string) => void) | undefined): {
  add: (text: string) => void;
  list: () => string[];
} {
  const notices: string[] = [];
  return {
    add: (text) => {
      notices.push(`${new Date().toISOString()} ${text}`);
      if (notices.length > NOTICES_KEPT) notices.shift();
      onNotice?.(text);
    },
    list: () => [...notices],
  };
}

/** The emulators, watched: one that dies is started again, and `recreate` makes its resources again. */
export function startWatchedEmulators(
  options: LocalPipelineOptions,
  notice: (text: string) => void,
  recreate: () => Promise<unknown>,
): Promise<EmulatorSet> {
  return startEmulators({
    ...(options.portBase ? { portBase: options.portBase } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    supervise: {
      onEvent: async (event) => {
        if (event.type === 'restarted') {
          await recreate().catch((error: Error) =>
            notice(`could not create the resources again on ${event.kind}: ${error.message}`),
          );
        }
        notice(emulatorNotice(event, Boolean(options.dataDir)));
      },
    },
  });
}

/** The local Lambda runtime, with the emulators' endpoints; every line the functions print feeds the metrics. */
export function localRuntime(
  options: LocalPipelineOptions,
  env: Record<string, string>,
  clients: ClientPool,
  metrics: EmfAggregator,
  port: number | undefined,
): LocalLambdaRuntime {
  return new LocalLambdaRuntime({
    sqs: clients.get(SQSClient),
    kinesis: clients.get(KinesisClient),
    env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...options.functionEnv },
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
    ...(port ? { port } : {}),
    ...(options.dataDir ? { stateDir: join(options.dataDir, 'lambda') } : {}),
    onLog: (line) => {
      metrics.ingest(line.line);
      options.onLog?.(line);
    },
  });
}

/** Stops the runtime, then counts what the queues still hold; the report says what was left unfinished. */
export function stopRuntime(
  runtime: LocalLambdaRuntime,
  clients: ClientPool,
  stack: LocalStack,
  dataDir: string | undefined,
): { stop: () => Promise<void>; report: () => LocalStopReport } {
  let runtimeReport: RuntimeStopReport = { unfinishedAsync: {}, kept: Boolean(dataDir) };
  let queuedMessages = 0;
  return {
    stop: async () => {
      runtimeReport = await runtime.stop();
      // fauxqs is still up: what its queues hold now is what the data folder keeps, or what is lost.
      queuedMessages = await countQueuedMessages(clients.get(SQSClient), stack).catch(() => 0);
    },
    report: () => ({ ...runtimeReport, queuedMessages }),
  };
}

/** What the local receiver got for an http target; refuses other targets, naming what `tail` takes instead. */
export function receivedBy(
  pipeline: Omit<LocalPipeline, 'statusUrl' | 'controlUrl'>,
  name: string,
  after: number,
): LoggedRequest[] {
  const target = pipeline.stack.targets.find((t) => t.name === name);
  if (target?.type !== 'http' || !target.destination.startsWith(`${pipeline.receiver.url}/`)) {
    throw new LocalModeError(`"${name}" is not an http target delivering to the local receiver`);
  }
  return pipeline.receiver.log(`/${name}`, after);
}

/** The clients the stack is created with. */
export function localClients(clients: ClientPool): LocalClients {
  return {
    kinesis: clients.get(KinesisClient),
    sqs: clients.get(SQSClient),
    sns: clients.get(SNSClient),
    dynamo: clients.get(DynamoDBClient),
    s3: clients.get(S3Client),
  };
}

/** The control endpoint (`/status`, `/targets/<name>/...`) of a running pipeline. */
export function serveControl(
  pipeline: Omit<LocalPipeline, 'statusUrl' | 'controlUrl'>,
  port: number | undefined,
): Promise<ControlServer> {
  const { failures } = pipeline;
  return startControlServer(
    {
      status: () => pipeline.status(),
      received: (target, after) => receivedBy(pipeline, target, after),
      fail: (target, status, handoff) => failures.fail(target, status, handoff),
      recover: (target) => failures.recover(target),
    },
    port,
  );
}
