import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ClientPool } from '../aws/clients.js';
import { type FunctionEnvironment, readFunctionEnvironment } from '../config/env.js';

/** What a function builds once per container: configuration, clients, telemetry. */
export interface Container {
  env: FunctionEnvironment;
  clients: ClientPool;
  logger: Logger;
  /** The invocation's metrics, flushed by the `logMetrics` middleware. */
  metrics: Metrics;
  /** Same namespace and service, for the dispatcher's per-target EMF documents (one per target per invocation). */
  targetMetrics: Metrics;
}

export function createContainer(
  role: 'dispatcher' | 'worker',
  processEnv: NodeJS.ProcessEnv = process.env,
): Container {
  const env = readFunctionEnvironment(processEnv);
  const serviceName = `${env.names.prefix}-${role === 'worker' ? (env.target ?? 'worker') : 'dispatcher'}`;
  const logger = new Logger({ serviceName });
  const metricsOptions = {
    serviceName,
    namespace: processEnv.POWERTOOLS_METRICS_NAMESPACE ?? 'KinesisFanout',
  };
  const metrics = new Metrics(metricsOptions);
  const targetMetrics = new Metrics(metricsOptions);
  const clients = new ClientPool({ maxSockets: Math.max(64, env.config.dispatcher.handoffConcurrency * 2) });
  return { env, clients, logger, metrics, targetMetrics };
}
