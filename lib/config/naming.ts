/**
 * Resource names shared by the deploy (serverless.yml), local mode and the running functions,
 * so every side finds the same function, queue and table for a target.
 */

/** A target as the names see it: an ordered target's queues are FIFO queues, whose names end in `.fifo`. */
export type TargetRef = string | { name: string; ordered?: boolean | undefined };

export interface Naming {
  /** `<service>-<stage>`: prefix of every resource name. */
  readonly prefix: string;
  dispatcherFunction(): string;
  /** Dispatcher's on-failure destination: shard and sequence-range records of batches it gave up on. */
  dispatcherFailureQueue(): string;
  workerFunction(target: string): string;
  /**
   * Hand-off queue of a `via: queue` target. Pass the target itself (not its name) wherever it may be ordered:
   * SQS requires a FIFO queue's name to end in `.fifo`.
   */
  targetQueue(target: TargetRef): string;
  /** A target's DLQ; FIFO for an ordered target (SQS redrives only to a DLQ of the same type). */
  targetDlq(target: TargetRef): string;
  idempotencyTable(): string;
  /** Local mode's claim-check bucket when `claimCheck.bucket` names none (a deployed stack names its own). */
  localClaimCheckBucket(): string;
}

export function naming(service: string, stage: string): Naming {
  const prefix = `${service}-${stage}`;
  return {
    prefix,
    dispatcherFunction: () => `${prefix}-dispatcher`,
    dispatcherFailureQueue: () => `${prefix}-dispatcher-failures`,
    workerFunction: (target) => `${prefix}-${target}-worker`,
    targetQueue: (target) => `${prefix}-${nameOf(target)}-queue${fifoSuffix(target)}`,
    targetDlq: (target) => `${prefix}-${nameOf(target)}-dlq${fifoSuffix(target)}`,
    idempotencyTable: () => `${prefix}-idempotency`,
    localClaimCheckBucket: () => `${prefix}-claims`,
  };
}

const nameOf = (target: TargetRef): string => (typeof target === 'string' ? target : target.name);
const fifoSuffix = (target: TargetRef): string =>
  typeof target !== 'string' && target.ordered ? '.fifo' : '';
