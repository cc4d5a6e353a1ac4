/**
 * Resource names shared by the deploy (serverless.yml), local mode and the running functions,
 * so every side finds the same function, queue and table for a target.
 */

export interface Naming {
  /** `<service>-<stage>`: prefix of every resource name. */
  readonly prefix: string;
  dispatcherFunction(): string;
  /** Dispatcher's on-failure destination: shard and sequence-range records of batches it gave up on. */
  dispatcherFailureQueue(): string;
  workerFunction(target: string): string;
  /** Hand-off queue of a `via: queue` target. */
  targetQueue(target: string): string;
  targetDlq(target: string): string;
  idempotencyTable(): string;
}

export function naming(service: string, stage: string): Naming {
  const prefix = `${service}-${stage}`;
  return {
    prefix,
    dispatcherFunction: () => `${prefix}-dispatcher`,
    dispatcherFailureQueue: () => `${prefix}-dispatcher-failures`,
    workerFunction: (target) => `${prefix}-${target}-worker`,
    targetQueue: (target) => `${prefix}-${target}-queue`,
    targetDlq: (target) => `${prefix}-${target}-dlq`,
    idempotencyTable: () => `${prefix}-idempotency`,
  };
}
