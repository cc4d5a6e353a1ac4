import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FunctionEnvironment } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import type { TargetConfig } from '../config/schema.js';
import { idempotencyModeOf } from '../config/target.js';
import { powertoolsEnvelopeLock } from '../delivery/lock.js';
import { DynamoKeyStore, noKeyStore } from '../delivery/store.js';
import { createWorker, type WorkerHandler } from '../delivery/worker.js';
import { powertoolsTelemetry } from '../observability/powertools.js';
import { createAdapter } from '../targets/registry.js';
import type { Container } from './container.js';

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
    telemetry: powertoolsTelemetry(logger, metrics, target.name),
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
