import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientPool } from '../aws/clients.js';
import { lazyS3ClaimCheckStore } from '../claim-check/lazy.js';
import type { IdempotencyMode } from '../config/constants.js';
import type { FunctionEnvironment } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import { isDiscoveredTarget } from '../config/features.js';
import type { TargetConfig } from '../config/schema.js';
import { idempotencyModeOf, targetNamed } from '../config/target.js';
import { createWorker, type DestinationAdapters, type WorkerHandler } from '../delivery/worker.js';
import { sqsDeadLetterQueue } from '../handoff/dead-letters.js';
import { DynamoLedger } from '../ledger/dynamo.js';
import { noLedger } from '../ledger/types.js';
import { noAssumeRole, stsAssumeRole, targetClientPools } from '../targets/credentials.js';
import { createAdapter } from '../targets/registry.js';
import { awsSecretProvider } from '../targets/signing.js';
import { type Container, containerTelemetry, publishingTargetMetrics } from './container.js';

/** The worker of the target named by `FANOUT_TARGET`. */
export function buildWorker(container: Container): WorkerHandler {
  const { env, clients, logger, metrics } = container;
  const target = workerTarget(env);
  metrics.setDefaultDimensions({ target: target.name });
  const idempotency = idempotencyModeOf(target);
  const dynamo = clients.get(DynamoDBClient);
  // A target with `role` or `region` gets clients of its own: assumed-role credentials, its region.
  // FANOUT_BUNDLE_*: 'off' when the deployed config does not use the feature (lib/deploy/functions.ts): esbuild
  // then drops the branch and the SDK code it would load (STS credentials, S3).
  const targetClients = targetClientPools(clients, {
    assumeRole: process.env.FANOUT_BUNDLE_ROLES !== 'off' ? stsAssumeRole : noAssumeRole,
  })(target);
  const telemetry = containerTelemetry(container, target.name);
  const work = createWorker({
    target,
    adapter: createAdapter({
      target,
      clients: targetClients,
      idempotency,
      // Fetched on first use, then cached for SECRET_TTL_MS: one read per container and period, not per record.
      ...(target.http?.signing ? { secrets: awsSecretProvider(clients) } : {}),
    }),
    ...(isDiscoveredTarget(target, env.config.discover)
      ? {
          destinations: discoveredDestinations(
            target,
            targetClients,
            env.config.discover!.kinesisStreamPrefix,
            idempotency,
          ),
        }
      : {}),
    ...(process.env.FANOUT_BUNDLE_CLAIM_CHECK !== 'off' && env.claimCheckBucket
      ? { claimCheck: lazyS3ClaimCheckStore(clients) }
      : {}),
    ledger:
      idempotency === 'store'
        ? new DynamoLedger({
            client: dynamo,
            tableName: env.idempotencyTable,
            ttlSeconds: env.config.idempotency.ttlSeconds,
          })
        : noLedger(),
    telemetry,
    // An ordered target dead-letters on a message's last receive itself, with the reason (docs/routing.md).
    ...(target.ordered && target.via === 'queue'
      ? { deadLetters: sqsDeadLetterQueue(clients.get(SQSClient), env.names.targetDlq(target)) }
      : {}),
  });
  return publishingTargetMetrics(work, telemetry, logger);
}

/** One Kinesis adapter per discovered stream an envelope names, created on first use and kept. */
function discoveredDestinations(
  target: TargetConfig,
  clients: ClientPool,
  prefix: string,
  idempotency: IdempotencyMode,
): DestinationAdapters {
  const adapters = new Map<string, ReturnType<typeof createAdapter>>();
  return {
    prefix,
    adapterFor(destination) {
      let adapter = adapters.get(destination);
      if (!adapter) {
        adapter = createAdapter({ target: { ...target, destination }, clients, idempotency });
        adapters.set(destination, adapter);
      }
      return adapter;
    },
  };
}

function workerTarget(env: FunctionEnvironment): TargetConfig {
  const name = env.target;
  const target = name ? targetNamed(env.config, name) : undefined;
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
