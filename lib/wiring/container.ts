import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { ClientPool } from '../aws/clients.js';
import { type FunctionEnvironment, readFunctionEnvironment } from '../config/env.js';
import { type PowertoolsTelemetry, powertoolsTelemetry } from '../observability/powertools.js';
import { METRICS_NAMESPACE, metricsServiceName } from '../observability/telemetry.js';

/** What a function builds once per container: configuration, clients, telemetry. */
export interface Container {
  env: FunctionEnvironment;
  clients: ClientPool;
  logger: Logger;
  /** The invocation's metrics, flushed by the `logMetrics` middleware. */
  metrics: Metrics;
  /** Same namespace and service, for per-target EMF documents (one per target per invocation). */
  targetMetrics: Metrics;
}

export function createContainer(
  role: 'dispatcher' | 'worker',
  processEnv: NodeJS.ProcessEnv = process.env,
): Container {
  const env = readFunctionEnvironment(processEnv);
  const serviceName = metricsServiceName(
    env.names.prefix,
    role === 'worker' ? (env.target ?? 'worker') : undefined,
  );
  const logger = new Logger({ serviceName });
  const metricsOptions = {
    serviceName,
    namespace: processEnv.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  };
  const metrics = new Metrics(metricsOptions);
  const targetMetrics = new Metrics(metricsOptions);
  const clients = new ClientPool({ maxSockets: Math.max(64, env.config.dispatcher.handoffConcurrency * 2) });
  return { env, clients, logger, metrics, targetMetrics };
}

/**
 * Options of the handlers' middy chain. middy by default answers 5 ms before the invocation's timeout with a
 * `TimeoutError` while the handler's work goes on. That would end an invocation whose work is still running:
 * Lambda then freezes the environment with the work half done and thaws it in a later invocation, where an old
 * delivery or hand-off resumes after its lease ended, beside the retry that took them over (and
 * the local runtime, which does not freeze, runs it on at once). Off: the handlers keep their own deadlines
 * (lib/delivery/worker.ts stops new calls well before the end), and an invocation that still runs out of time
 * is stopped by Lambda, which resets its environment.
 */
export const HANDLER_OPTIONS = Object.freeze({ timeoutEarlyInMillis: 0 });

/**
 * A function's Lambda handler: `work` under middy ({@link HANDLER_OPTIONS}), with the container's logger given
 * each invocation's context and its metrics flushed at each invocation's end.
 */
export function lambdaHandler<E, R>(
  container: Container,
  work: (event: E, context: Context) => Promise<R>,
): MiddyfiedHandler<E, R> {
  return (
    middy<E, R>(HANDLER_OPTIONS)
      // Never log the event, even with POWERTOOLS_LOGGER_LOG_EVENT=true: it holds record payloads (docs/security.md).
      .use(injectLambdaContext(container.logger, { logEvent: false }))
      .use(logMetrics(container.metrics))
      .handler((event, context) => work(event, context))
  );
}

/** The container's telemetry; a worker passes its target, whose metrics go into the invocation's own. */
export function containerTelemetry(container: Container, ownTarget?: string): PowertoolsTelemetry {
  return powertoolsTelemetry(container.logger, container.metrics, container.targetMetrics, ownTarget);
}

/**
 * Wraps a handler so that, however it ends, the per-target metrics it counted are printed (one EMF document per
 * target, beside the invocation's own that the logMetrics middleware prints). A metrics failure is logged, never
 * thrown: it must not fail an invocation whose work is done (Lambda would run it all again).
 */
export function publishingTargetMetrics<E, C, R>(
  handler: (event: E, context: C) => Promise<R>,
  telemetry: PowertoolsTelemetry,
  logger: Logger,
): (event: E, context: C) => Promise<R> {
  return async (event, context) => {
    try {
      return await handler(event, context);
    } finally {
      try {
        telemetry.publishTargetMetrics();
      } catch (error) {
        logger.error('per-target metrics not published', { error });
      }
    }
  };
}
