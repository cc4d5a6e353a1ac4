import { type Naming, naming } from '../config/index.js';

/**
 * Names only the deploy needs, on top of the shared {@link naming} (which the runtime also uses).
 *
 * IAM is global while the rest of the stack is regional, so role names carry the region: the same stage can
 * then be deployed to two regions of one account (osls names its default role the same way).
 */
export interface DeployNames extends Naming {
  readonly region: string;
  dispatcherRole(): string;
  workerRole(target: string): string;
  /** Enhanced fan-out consumer of the dispatcher on the source stream. */
  sourceConsumer(): string;
  sourceIteratorAgeAlarm(): string;
  dispatcherErrorsAlarm(): string;
  dispatcherFailureQueueAlarm(): string;
  dlqAlarm(target: string): string;
  workerErrorsAlarm(target: string): string;
  workerThrottlesAlarm(target: string): string;
}

export function deployNames(service: string, stage: string, region: string): DeployNames {
  const base = naming(service, stage);
  const { prefix } = base;
  return {
    ...base,
    region,
    dispatcherRole: () => `${base.dispatcherFunction()}-${region}`,
    workerRole: (target) => `${base.workerFunction(target)}-${region}`,
    sourceConsumer: () => base.dispatcherFunction(),
    sourceIteratorAgeAlarm: () => `${prefix}-source-iterator-age`,
    dispatcherErrorsAlarm: () => `${base.dispatcherFunction()}-errors`,
    dispatcherFailureQueueAlarm: () => `${base.dispatcherFailureQueue()}-not-empty`,
    dlqAlarm: (target) => `${base.targetDlq(target)}-not-empty`,
    workerErrorsAlarm: (target) => `${base.workerFunction(target)}-errors`,
    workerThrottlesAlarm: (target) => `${base.workerFunction(target)}-throttles`,
  };
}

/** AWS limits on the length of the names above. */
export const NAME_LIMITS = {
  lambdaFunction: 64,
  sqsQueue: 80,
  iamRole: 64,
  alarm: 255,
  dynamodbTable: 255,
  kinesisConsumer: 128,
} as const;
