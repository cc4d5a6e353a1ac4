import { basename, extname } from 'node:path';
import { type AccountScope, functionArn } from '../arn.js';
import type { AsyncEventQueue } from '../async/event-queue.js';
import { LATEST } from '../constants.js';
import type { LocalFunction } from '../function.js';
import type { LambdaBackend } from './protocol.js';

/** A registered function as the API reaches it. */
export interface ApiFunction {
  fn: LocalFunction;
  queue: AsyncEventQueue;
}

/** The Lambda API's view of the runtime's functions. */
export function lambdaBackend(deps: {
  scope: AccountScope;
  asyncPayloadLimit: number;
  find: (name: string) => ApiFunction | undefined;
  setReservedConcurrency: (name: string, reserved: number | undefined) => void;
  mappings: (functionName?: string) => Array<Record<string, unknown>>;
  setMappingMaximumConcurrency: (id: string, maximum: number) => Record<string, unknown>;
  stats: () => unknown;
}): LambdaBackend {
  const get = (name: string): ApiFunction => {
    const found = deps.find(name);
    if (!found) throw new Error(`function "${name}" is not registered`);
    return found;
  };
  return {
    asyncPayloadLimit: deps.asyncPayloadLimit,
    has: (name) => deps.find(name) !== undefined,
    functionArn: (name) => functionArn(deps.scope, name),
    invokeSync: (name, payload) => get(name).fn.invoke(payload, 'api', { throttle: true }),
    invokeAsync: (name, payload) => get(name).queue.enqueue(payload),
    getReservedConcurrency: (name) => get(name).fn.pool.reserved,
    setReservedConcurrency: deps.setReservedConcurrency,
    mappings: deps.mappings,
    setMappingMaximumConcurrency: deps.setMappingMaximumConcurrency,
    stats: deps.stats,
    configuration: (name) => {
      const { definition: d, arn } = get(name).fn;
      return {
        FunctionName: d.name,
        FunctionArn: arn,
        Runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
        Role: `arn:aws:iam::${deps.scope.accountId}:role/${d.name}-role`,
        Handler: `${basename(d.handler.file, extname(d.handler.file))}.${d.handler.export}`,
        Timeout: d.timeoutSeconds,
        MemorySize: d.memoryMb,
        Version: LATEST,
        Environment: { Variables: d.env },
        State: 'Active',
        LastUpdateStatus: 'Successful',
        PackageType: 'Zip',
      };
    },
  };
}
