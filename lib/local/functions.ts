import { FUNCTION_ENV } from '../config/env.js';
import type { Naming } from '../config/naming.js';
import type { LocalLambdaRuntime } from '../lambda-emulator/index.js';
import { METRICS_NAMESPACE } from '../observability/telemetry.js';
import type { FunctionBundles } from './bundle.js';
import type { LocalStack } from './stack.js';

export const LOCAL_STAGE = 'local';

/**
 * Registers the dispatcher on the source stream's event source mapping and one worker per enabled target
 * (async invoke with its retries and DLQ, or the SQS mapping of its queue), as the deployed stack wires them.
 */
export function registerFunctions(
  runtime: LocalLambdaRuntime,
  stack: LocalStack,
  names: Naming,
  bundles: FunctionBundles,
): void {
  const { config } = stack;
  const functionEnv = {
    [FUNCTION_ENV.configJson]: JSON.stringify(config),
    [FUNCTION_ENV.stage]: LOCAL_STAGE,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
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
