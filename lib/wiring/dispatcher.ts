import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { streamNameOf } from '../aws/arn.js';
import type { ClientPool } from '../aws/clients.js';
import { lazyS3ClaimCheckStore } from '../claim-check/lazy.js';
import type { FunctionEnvironment } from '../config/env.js';
import { createDispatcher, type DispatchHandler } from '../dispatch/dispatcher.js';
import { awsHandoff } from '../handoff/aws.js';
import { METRICS, type Telemetry } from '../observability/telemetry.js';
import { createStreamDiscovery, type StreamDiscovery } from '../targets/discovery.js';
import { type Container, containerTelemetry, publishingTargetMetrics } from './container.js';

// Kept apart from the worker's wiring so the dispatcher bundle carries no target adapters or idempotency code.
/** The dispatcher of this container's configuration. */
export function buildDispatcher(container: Container): DispatchHandler {
  const { env, clients, logger } = container;
  const telemetry = containerTelemetry(container);
  const dispatch = createDispatcher({
    config: env.config,
    names: env.names,
    handoff: awsHandoff(clients.get(LambdaClient), clients.get(SQSClient)),
    telemetry,
    // FANOUT_BUNDLE_*: 'off' when the deployed config does not use the feature (lib/deploy/functions.ts):
    // esbuild then drops the branch and the SDK client it would load.
    ...(process.env.FANOUT_BUNDLE_CLAIM_CHECK !== 'off' && env.claimCheckBucket
      ? { claimCheck: { store: lazyS3ClaimCheckStore(clients), bucket: env.claimCheckBucket } }
      : {}),
    ...(process.env.FANOUT_BUNDLE_DISCOVERY !== 'off' && env.config.discover
      ? { discovery: streamDiscovery(env, clients, telemetry) }
      : {}),
  });
  return publishingTargetMetrics(dispatch, telemetry, logger);
}

/** `discover`'s streams, listed once per `refreshSeconds` per container; the Kinesis client loads on first use. */
function streamDiscovery(
  env: FunctionEnvironment,
  clients: ClientPool,
  telemetry: Telemetry,
): StreamDiscovery {
  const discover = env.config.discover!;
  return createStreamDiscovery({
    prefix: discover.kinesisStreamPrefix,
    refreshMs: discover.refreshSeconds * 1000,
    exclude: [streamNameOf(env.config.source.stream)],
    list: async (signal) => {
      const [{ KinesisClient }, { awsStreamLister }] = await Promise.all([
        import('@aws-sdk/client-kinesis'),
        import('../targets/stream-lister.js'),
      ]);
      return awsStreamLister(clients.get(KinesisClient))(signal);
    },
    onRefresh: (names) => telemetry.count(METRICS.discoveredStreams, names.length, discover.name),
  });
}
