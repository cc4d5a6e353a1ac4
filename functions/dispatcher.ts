/**
 * Dispatcher: the Kinesis event source mapping's function. Thin on purpose: everything is built once per
 * container here and the work happens in lib/dispatch.
 */
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createContainer, lambdaHandler } from '../lib/wiring/container.js';
import { buildDispatcher } from '../lib/wiring/dispatcher.js';

const container = createContainer('dispatcher');
const dispatch = buildDispatcher(container);

export const handler = lambdaHandler<KinesisStreamEvent, KinesisStreamBatchResponse>(container, dispatch);
