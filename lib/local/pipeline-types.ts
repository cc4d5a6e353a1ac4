import type { ClientPool } from '../aws/clients.js';
import type { Naming } from '../config/naming.js';
import type { FanoutConfig } from '../config/schema.js';
import type { LocalLambdaRuntime, RuntimeStopReport } from '../lambda-emulator/index.js';
import type { ContainerLogLine } from '../lambda-emulator/types.js';
import type { PipelineStatus } from '../operate/status/types.js';
import type { Machine } from './capacity.js';
import type { EmulatorSet } from './emulator-set.js';
import type { EmfAggregator } from './metrics.js';
import type { LocalReceiver } from './receiver.js';
import type { LocalStack } from './stack.js';
import type { TargetFailures } from './target-failures.js';

export interface LocalPipelineOptions {
  config: FanoutConfig;
  /** First of six consecutive ports (kinesis, sqs, dynamodb, lambda, status, http receiver); default: free ports. */
  portBase?: number;
  /**
   * Keep local mode's state in this folder across runs: streams and the mapping's checkpoints, queues and DLQs
   * with their messages, the idempotency table, async invocations not finished at stop.
   */
  dataDir?: string;
  /** Multiplies Lambda's long waits (async retry delays of 1 and 2 minutes, event ages). */
  timeScale?: number;
  /** Every line the functions print (logs and EMF metrics). */
  onLog?: (line: ContainerLogLine) => void;
  /** What a user should hear of at once: an emulator died, came back, could not be started again. */
  onNotice?: (notice: string) => void;
  /** Keep every body the local HTTP receiver accepts (tests); default true. */
  keepBodies?: boolean;
  /** Extra variables for the functions only, over the emulator endpoints (chaos runs put proxies there). */
  functionEnv?: Record<string, string>;
  /** The machine whose limit the target count is checked against (default: this one). */
  machine?: Machine;
}

/** What a stop did with the work not finished. */
export interface LocalStopReport extends RuntimeStopReport {
  /** Messages in local queues and DLQs at stop (kept in the data folder, or lost without one). */
  queuedMessages: number;
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
  failures: TargetFailures;
  dataDir?: string;
  /** Endpoints, region and dummy credentials for any SDK or the AWS CLI; also written to .fanout/local.env. */
  env: Record<string, string>;
  /** The control endpoint (`/status`, `/targets/<name>/...`). */
  controlUrl: string;
  statusUrl: string;
  /** The last notices (newest last), also shown by the live view and `fanout status`. */
  notices(): string[];
  status(): Promise<PipelineStatus>;
  stop(): Promise<LocalStopReport>;
}
