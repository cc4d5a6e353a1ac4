/**
 * Dispatcher: the Kinesis event source mapping's function. Thin on purpose: everything is built once per
 * container here and the work happens in lib/dispatch.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createContainer, HANDLER_OPTIONS } from '../lib/wiring/container.js';
import { buildDispatcher } from '../lib/wiring/dispatcher.js';

const container = createContainer('dispatcher');
const dispatch = buildDispatcher(container);

export const handler = middy<KinesisStreamEvent, KinesisStreamBatchResponse>(HANDLER_OPTIONS)
  // Never log the event, even with POWERTOOLS_LOGGER_LOG_EVENT=true: it holds record payloads (docs/security.md).
  .use(injectLambdaContext(container.logger, { logEvent: false }))
  .use(logMetrics(container.metrics))
  .handler((event, context) => dispatch(event, context));
