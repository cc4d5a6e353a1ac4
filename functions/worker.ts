/**
 * Worker: one deployed function per target (`FANOUT_TARGET`), invoked asynchronously with one envelope or by
 * the target queue's event source mapping with a batch of envelopes. The work happens in lib/delivery.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createContainer, HANDLER_OPTIONS } from '../lib/wiring/container.js';
import { buildWorker } from '../lib/wiring/worker.js';

const container = createContainer('worker');
const work = buildWorker(container);

export const handler = middy<unknown, unknown>(HANDLER_OPTIONS)
  // Never log the event, even with POWERTOOLS_LOGGER_LOG_EVENT=true: it holds record payloads (docs/security.md).
  .use(injectLambdaContext(container.logger, { logEvent: false }))
  .use(logMetrics(container.metrics))
  .handler((event, context) => work(event, context));
