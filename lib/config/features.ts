/**
 * Schemas and cross-field rules of the breadth features (docs/routing.md): ordered targets, claim check,
 * cross-account / cross-region destinations and discovery by naming convention. Kept apart from schema.ts,
 * which composes them, and written with zod/mini like it (the functions bundle this file).
 */
import * as z from 'zod/mini';
import type { HandoffMode } from './constants.js';

const int = (min: number, max: number): z.ZodMiniInt => z.int().check(z.minimum(min), z.maximum(max));

/** Lambda reads at most 10 messages per batch from a FIFO queue. */
export const FIFO_BATCH_LIMIT = 10;
/**
 * Message groups of an ordered target unless `messageGroups` says otherwise. Each group costs the dispatcher,
 * SQS and the worker a message per batch that has records of it: in the local benchmark at 2,000 records/s,
 * 8 groups cost 766 ms of CPU per 1,000 records, 16: 892, 32: 1,112, 64: 1,306 (unordered: ~700). More groups
 * hold back fewer keys behind a failing record (1/8 of them here) for its retries (docs/routing.md).
 */
export const DEFAULT_MESSAGE_GROUPS = 8;
/**
 * Days a claim-check object is kept unless `claimCheck.expireDays` says otherwise: a pointer can wait in a
 * target's DLQ for 14 days (its retention) and be replayed then, so the object outlives it by a day.
 */
export const DEFAULT_CLAIM_EXPIRE_DAYS = 15;
/** Name of the target that delivers to discovered streams unless `discover.name` says otherwise. */
export const DEFAULT_DISCOVERED_TARGET = 'discovered';

export const roleArnSchema = z
  .string()
  .check(
    z.regex(
      /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
      'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
    ),
  );

/** STS AssumeRole's ExternalId: 2-1224 characters of [\w+=,.@:/-]. */
export const externalIdSchema = z
  .string()
  .check(z.regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of letters, digits and +=,.@:/-'));

export const regionSchema = z
  .string()
  .check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as eu-west-1'));

export const claimCheckSchema = z.strictObject({
  /** An existing bucket (its owner adds the lifecycle rule); default: a bucket the stack creates. */
  bucket: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
          'must be an S3 bucket name (3-63 characters of [a-z0-9.-])',
        ),
      ),
  ),
  /** Days before the stack's lifecycle rule deletes a stored record. */
  expireDays: z._default(int(1, 3650), DEFAULT_CLAIM_EXPIRE_DAYS),
});

/** The discovery-specific fields of `discover`; schema.ts adds the shared worker's target settings. */
export const discoverFields = {
  /** Every Kinesis stream whose name starts so (in the stack's account and region) gets the records. */
  kinesisStreamPrefix: z
    .string()
    .check(z.regex(/^[A-Za-z0-9_.-]{1,127}$/, 'must be 1-127 characters of [A-Za-z0-9_.-]')),
  /** Seconds the dispatcher keeps the list of matching streams before it lists them again. */
  refreshSeconds: z._default(int(1, 86_400), 300),
  /** Name of the target (and its worker) that delivers to every discovered stream. */
  name: z._default(
    z
      .string()
      .check(
        z.regex(
          /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/,
          'must be 1-32 characters of [a-z0-9-], starting and ending with [a-z0-9]',
        ),
      ),
    DEFAULT_DISCOVERED_TARGET,
  ),
};

/** The fields of a target these rules read, as written (`via` and `ordered` may be left out). */
export interface FeatureFields {
  type: string;
  destination: string;
  via?: HandoffMode | undefined;
  batchSize: number;
  ordered?: boolean | undefined;
  messageGroups?: number | undefined;
  role?: string | undefined;
  externalId?: string | undefined;
  region?: string | undefined;
}

export interface FieldIssue {
  path: string[];
  message: string;
}

/**
 * Destinations that are ordered logs per key, where a copy that reorders a partition key's records is a wrong
 * copy: a Kinesis stream (ordered per partition key within a shard) and SQS FIFO queues and SNS FIFO topics
 * (ordered per message group, which the adapters set to the partition key). Standard queues and topics,
 * Firehose (buffered into objects), EventBridge buses (no order guarantee), Lambda functions (invoked
 * asynchronously) and http endpoints promise no order of their own: for them order is opt-in (`ordered: true`).
 */
export function isOrderedDestination(type: string, destination: string): boolean {
  if (type === 'kinesis') return true;
  return (type === 'sqs' || type === 'sns') && destination.endsWith('.fifo');
}

/** Whether a target keeps each partition key's order: its `ordered`, else whether its destination is ordered. */
export function isOrdered(target: {
  type: string;
  destination: string;
  ordered?: boolean | undefined;
}): boolean {
  return target.ordered ?? isOrderedDestination(target.type, target.destination);
}

/**
 * `via` when the target leaves it out: an ordered target hands off through its FIFO queue, any other one by
 * asynchronous invoke.
 */
export function defaultVia(target: {
  type: string;
  destination: string;
  via?: HandoffMode | undefined;
  ordered?: boolean | undefined;
}): HandoffMode {
  return target.via ?? (isOrdered(target) ? 'queue' : 'invoke');
}

/** Why a target is ordered, for messages: set so, or by default for its destination. */
export function orderedBecause(target: FeatureFields): string {
  if (target.ordered !== undefined) return 'ordered: true';
  return `${target.type === 'kinesis' ? 'a kinesis target' : `an ${target.type} target with a FIFO destination`} keeps each partition key's order by default`;
}

/** Rules across the feature fields of one target, as written (after its fields are valid). */
export function featureIssues(target: FeatureFields): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const ordered = isOrdered(target);
  if (ordered && target.via === 'invoke') {
    // An async invoke has no order: Lambda runs queued events concurrently and retries a failed one minutes
    // later, after the events behind it.
    issues.push({
      path: ['via'],
      message:
        target.ordered === undefined
          ? `is "invoke", but ${orderedBecause(target)}, which an async invoke cannot: remove via (ordered hand-off through an SQS FIFO queue), or set ordered: false to hand off by invoke without order`
          : 'is "invoke", but an ordered target hands off through an SQS FIFO queue: set via: queue or leave via out',
    });
  }
  if (ordered && target.batchSize > FIFO_BATCH_LIMIT) {
    issues.push({
      path: ['batchSize'],
      message: `is ${target.batchSize}, but Lambda reads at most ${FIFO_BATCH_LIMIT} messages per batch from a FIFO queue (${orderedBecause(target)}${target.ordered === undefined ? '; ordered: false lifts this' : ''})`,
    });
  }
  if (target.messageGroups !== undefined && !ordered) {
    issues.push({
      path: ['messageGroups'],
      message:
        target.ordered === false
          ? 'applies to ordered targets only, and this one has ordered: false'
          : 'applies to ordered targets only; set ordered: true',
    });
  }
  if (target.externalId !== undefined && target.role === undefined) {
    issues.push({ path: ['externalId'], message: 'is passed when assuming `role`; set role too' });
  }
  if (target.type === 'http') {
    for (const field of ['role', 'region'] as const) {
      if (target[field] !== undefined) {
        issues.push({
          path: [field],
          message: 'does not apply to an http target (it calls its URL with no AWS credentials)',
        });
      }
    }
  }
  const arnRegion = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):/.exec(target.destination)?.[1];
  if (target.region !== undefined && arnRegion && arnRegion !== target.region) {
    issues.push({
      path: ['region'],
      message: `is ${target.region}, but the destination ARN is in ${arnRegion}; leave region out for an ARN`,
    });
  }
  return issues;
}

/** The target `discover` stands for: a kinesis target whose destination is the prefix and a `*`. */
export function isDiscoveredTarget(
  target: { name: string; type: string; destination: string },
  discover: { name: string; kinesisStreamPrefix: string } | undefined,
): boolean {
  return (
    discover !== undefined &&
    target.name === discover.name &&
    target.type === 'kinesis' &&
    target.destination === `${discover.kinesisStreamPrefix}*`
  );
}

/**
 * Rules of `discover` against the rest of the config: its name must not be a target's (the one it adds is
 * recognised by {@link isDiscoveredTarget}), and its prefix must not match the source stream, whose records
 * would come back through the fan-out.
 */
export function discoverIssues(config: {
  source: { stream: string };
  targets: ReadonlyArray<{ name: string; type: string; destination: string }>;
  discover: { name: string; kinesisStreamPrefix: string };
}): FieldIssue[] {
  const { discover } = config;
  const issues: FieldIssue[] = [];
  const clash = config.targets.findIndex((t) => t.name === discover.name && !isDiscoveredTarget(t, discover));
  if (clash >= 0) {
    issues.push({
      path: ['discover', 'name'],
      message: `"${discover.name}" is also the name of targets[${clash}]; give discover another name`,
    });
  }
  const source = config.source.stream.split(':stream/').pop() ?? '';
  if (source.startsWith(discover.kinesisStreamPrefix)) {
    issues.push({
      path: ['discover', 'kinesisStreamPrefix'],
      message: `"${discover.kinesisStreamPrefix}" matches the source stream "${source}": its records would come back through the fan-out`,
    });
  }
  return issues;
}
