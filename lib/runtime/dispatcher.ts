import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createDispatcher, type DispatchHandler } from '../dispatch/dispatcher.js';
import { awsHandoff } from '../handoff/aws.js';
import { powertoolsTelemetry } from '../observability/powertools.js';
import type { Container } from './container.js';

// Kept apart from the worker's wiring so the dispatcher bundle carries no target adapters or idempotency code.
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
