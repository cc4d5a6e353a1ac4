/**
 * Worker: one deployed function per target (`FANOUT_TARGET`), invoked asynchronously with one envelope or by
 * the target queue's event source mapping with a batch of envelopes. The work happens in lib/delivery.
 */
import { createContainer, lambdaHandler } from '../lib/wiring/container.js';
import { buildWorker } from '../lib/wiring/worker.js';

const container = createContainer('worker');
const work = buildWorker(container);

export const handler = lambdaHandler<unknown, unknown>(container, work);
