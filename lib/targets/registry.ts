import { TARGET_TYPES, type TargetType } from '../config/index.js';
import { UnknownTargetTypeError } from './errors.js';
import { createEventBridgeAdapter } from './eventbridge.js';
import { createFirehoseAdapter } from './firehose.js';
import { groupedCalls } from './grouped.js';
import { createHttpAdapter } from './http.js';
import { createKinesisAdapter } from './kinesis.js';
import { createLambdaAdapter } from './lambda.js';
import { createSnsAdapter } from './sns.js';
import { createSqsAdapter } from './sqs.js';
import type { AdapterContext, AdapterFactory, TargetAdapter } from './types.js';

/** The factory of each target type. Typed as a full record: a new type in TARGET_TYPES fails to compile here. */
export const ADAPTER_FACTORIES: Readonly<Record<TargetType, AdapterFactory>> = Object.freeze({
  kinesis: createKinesisAdapter,
  // APIs of 10 entries a request: a worker's call is a round of requests (grouped.ts).
  sqs: (context) => groupedCalls(createSqsAdapter(context)),
  sns: (context) => groupedCalls(createSnsAdapter(context)),
  firehose: createFirehoseAdapter,
  eventbridge: (context) => groupedCalls(createEventBridgeAdapter(context)),
  lambda: createLambdaAdapter,
  http: createHttpAdapter,
});

/**
 * Creates the adapter of a target's type.
 *
 * @throws {@link UnknownTargetTypeError} for a type without a factory (a config that skipped validation).
 * @throws {@link TargetDestinationError} from the factory, for a destination it cannot use.
 * @example
 * const adapter = createAdapter({ target, clients: new ClientPool(), idempotency: idempotencyModeOf(target) });
 */
export function createAdapter(context: AdapterContext): TargetAdapter {
  const type: string = context.target.type;
  const factory = Object.hasOwn(ADAPTER_FACTORIES, type) ? ADAPTER_FACTORIES[type as TargetType] : undefined;
  if (!factory) throw new UnknownTargetTypeError(type, TARGET_TYPES, context.target.name);
  return factory(context);
}
