import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ClientPool } from '../aws/clients.js';
import { type FunctionEnvironment, readFunctionEnvironment } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import type { TargetConfig } from '../config/schema.js';
import { idempotencyModeOf } from '../config/target.js';
import { powertoolsEnvelopeLock } from '../delivery/lock.js';
import { DynamoKeyStore, noKeyStore } from '../delivery/store.js';
import { createWorker, type WorkerHandler } from '../delivery/worker.js';
import { createDispatcher, type DispatchHandler } from '../dispatch/dispatcher.js';
import { awsHandoff } from '../handoff/aws.js';
import { powertoolsTelemetry } from '../observability/powertools.js';
import { createAdapter } from '../targets/registry.js';

/** What a function builds once per container: configuration, clients, telemetry. */
export interface Container {
  env: FunctionEnvironment;
  clients: ClientPool;
  logger: Logger;
  metrics: Metrics;
}

export function createContainer(
  role: 'dispatcher' | 'worker',
  processEnv: NodeJS.ProcessEnv = process.env,
): Container {
  const env = readFunctionEnvironment(processEnv);
  const serviceName = `${env.names.prefix}-${role === 'worker' ? (env.target ?? 'worker') : 'dispatcher'}`;
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({
    serviceName,
    namespace: processEnv.POWERTOOLS_METRICS_NAMESPACE ?? 'KinesisFanout',
  });
  const clients = new ClientPool({ maxSockets: Math.max(64, env.config.dispatcher.handoffConcurrency * 2) });
  return { env, clients, logger, metrics };
}

/** The dispatcher of this container's configuration. */
export function buildDispatcher(container: Container): DispatchHandler {
  const { env, clients, logger, metrics } = container;
  return createDispatcher({
    config: env.config,
    names: env.names,
    handoff: awsHandoff(clients.get(LambdaClient), clients.get(SQSClient)),
    telemetry: powertoolsTelemetry(logger, metrics),
  });
}

/** The worker of the target named by `FANOUT_TARGET`. */
export function buildWorker(container: Container): WorkerHandler {
  const { env, clients, logger, metrics } = container;
  const target = workerTarget(env);
  metrics.setDefaultDimensions({ target: target.name });
  const idempotency = idempotencyModeOf(target);
  const dynamo = clients.get(DynamoDBClient);
  return createWorker({
    target,
    adapter: createAdapter({ target, clients, idempotency }),
    store:
      idempotency === 'store'
        ? new DynamoKeyStore({
            client: dynamo,
            tableName: env.idempotencyTable,
            ttlSeconds: env.config.idempotency.ttlSeconds,
          })
        : noKeyStore(),
    ...(idempotency === 'store'
      ? {
          lock: powertoolsEnvelopeLock({
            client: dynamo,
            tableName: env.idempotencyTable,
            expiresAfterSeconds: env.config.idempotency.ttlSeconds,
          }),
        }
      : {}),
    telemetry: powertoolsTelemetry(logger, metrics),
  });
}

function workerTarget(env: FunctionEnvironment): TargetConfig {
  const name = env.target;
  const target = env.config.targets.find((t) => t.name === name);
  if (!name || !target) {
    throw new ConfigError('environment', [
      {
        path: 'FANOUT_TARGET',
        message: name
          ? `"${name}" is not a target of the configuration; expected one of ${env.config.targets.map((t) => `"${t.name}"`).join(', ')}`
          : 'is required for a worker (the name of the target it serves)',
      },
    ]);
  }
  return target;
}
