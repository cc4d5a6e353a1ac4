import {
  type EventSourceMappingConfiguration,
  GetFunctionConcurrencyCommand,
  type LambdaClient,
  ListEventSourceMappingsCommand,
  PutFunctionConcurrencyCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { classifyError } from '../../aws/retry.js';
import type { Naming } from '../../config/naming.js';
import type { TargetConfig } from '../../config/schema.js';
import { LiveSettingError } from '../errors.js';

/** A target's live concurrency setting. */
export interface LiveConcurrency {
  /** `reserved concurrency` (via: invoke) or `maximum concurrency` of the SQS mapping (via: queue). */
  setting: 'reserved concurrency' | 'maximum concurrency';
  /** The function name, or the event source mapping's UUID. */
  resource: string;
  /** null: not set (unreserved, or a mapping without a maximum). */
  value: number | null;
}

/** The SQS event source mapping of a `via: queue` target: its queue to its worker. */
export async function targetMapping(
  lambda: LambdaClient,
  names: Naming,
  target: TargetConfig,
): Promise<EventSourceMappingConfiguration> {
  const functionName = names.workerFunction(target.name);
  const queue = names.targetQueue(target);
  let marker: string | undefined;
  do {
    const page = await call(`ListEventSourceMappings ${functionName}`, () =>
      lambda.send(
        new ListEventSourceMappingsCommand({
          FunctionName: functionName,
          ...(marker ? { Marker: marker } : {}),
        }),
      ),
    );
    const found = page.EventSourceMappings?.find((m) => m.EventSourceArn?.endsWith(`:${queue}`));
    if (found?.UUID) return found;
    marker = page.NextMarker;
  } while (marker);
  throw new LiveSettingError(
    `no event source mapping from queue ${queue} to ${functionName}: is the stack of this stage deployed in this region?`,
  );
}

/** Reads the live setting: GetFunctionConcurrency, or the mapping's ScalingConfig. */
export async function readLiveConcurrency(
  lambda: LambdaClient,
  names: Naming,
  target: TargetConfig,
): Promise<LiveConcurrency> {
  if (target.via === 'queue') {
    const mapping = await targetMapping(lambda, names, target);
    return {
      setting: 'maximum concurrency',
      resource: mapping.UUID ?? '',
      value: mapping.ScalingConfig?.MaximumConcurrency ?? null,
    };
  }
  const functionName = names.workerFunction(target.name);
  const out = await call(`GetFunctionConcurrency ${functionName}`, () =>
    lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName })),
  );
  return {
    setting: 'reserved concurrency',
    resource: functionName,
    value: out.ReservedConcurrentExecutions ?? null,
  };
}

/**
 * Changes the live setting without a redeploy: PutFunctionConcurrency for `via: invoke`, the SQS mapping's
 * `ScalingConfig.MaximumConcurrency` (UpdateEventSourceMapping) for `via: queue`. Returns the setting before.
 * The next deploy sets the same value from fanout.yml, so the file must say it too.
 */
export async function applyLiveConcurrency(
  lambda: LambdaClient,
  names: Naming,
  target: TargetConfig,
  value: number,
): Promise<{ before: LiveConcurrency; after: LiveConcurrency }> {
  const before = await readLiveConcurrency(lambda, names, target);
  if (target.via === 'queue') {
    const out = await call(`UpdateEventSourceMapping ${before.resource}`, () =>
      lambda.send(
        new UpdateEventSourceMappingCommand({
          UUID: before.resource,
          ScalingConfig: { MaximumConcurrency: value },
        }),
      ),
    );
    return { before, after: { ...before, value: out.ScalingConfig?.MaximumConcurrency ?? value } };
  }
  const out = await call(`PutFunctionConcurrency ${before.resource}`, () =>
    lambda.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: before.resource,
        ReservedConcurrentExecutions: value,
      }),
    ),
  );
  return { before, after: { ...before, value: out.ReservedConcurrentExecutions ?? value } };
}

/** Runs an SDK call, translating its error into a {@link LiveSettingError} that names the call. */
async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof LiveSettingError) throw error;
    const hint =
      (error as Error).name === 'ResourceNotFoundException'
        ? ' (is the stack of this stage deployed in this region? see --stage, --region)'
        : '';
    throw new LiveSettingError(`${what}: ${classifyError(error).reason}${hint}`, { cause: error });
  }
}
