/**
 * Schemas and cross-field rules of the breadth features (docs/routing.md): ordered targets, claim check,
 * cross-account / cross-region destinations and discovery by naming convention. Kept apart from schema.ts,
 * which composes them, and written with zod/mini like it (the functions bundle this file).
 */
import * as z from 'zod/mini';
import { TARGET_NAME_PATTERN, TARGET_NAME_RULE } from './constants.js';
import { type OrderingFields, orderingIssues } from './ordering.js';

export {
  DEFAULT_MESSAGE_GROUPS,
  defaultVia,
  FIFO_BATCH_LIMIT,
  isOrdered,
  orderedBecause,
} from './ordering.js';

const int = (min: number, max: number): z.ZodMiniInt => z.int().check(z.minimum(min), z.maximum(max));

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

export const claimCheckFields = z.strictObject({
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

/**
 * `claimCheck` (docs/routing.md): on unless `false`, so a record above the hand-off limit is never only a
 * position in a DLQ (its data would be gone with the stream's retention). `true` or a mapping turn it on;
 * `false` turns it off explicitly: such a record then becomes an oversize notice, replayable while the stream
 * keeps the record (or once the claim check is on again).
 */
export const claimCheckSchema = z._default(
  z.pipe(
    z.union([z.boolean(), claimCheckFields], {
      error: 'must be true, false (off) or a mapping of bucket and expireDays',
    }),
    z.transform((value): false | z.output<typeof claimCheckFields> =>
      value === true ? { expireDays: DEFAULT_CLAIM_EXPIRE_DAYS } : value,
    ),
  ),
  { expireDays: DEFAULT_CLAIM_EXPIRE_DAYS },
);

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
    z.string().check(z.regex(TARGET_NAME_PATTERN, TARGET_NAME_RULE)),
    DEFAULT_DISCOVERED_TARGET,
  ),
};

/** The fields of a target these rules read, as written (`via` and `ordered` may be left out). */
export interface FeatureFields extends OrderingFields {
  role?: string | undefined;
  externalId?: string | undefined;
  region?: string | undefined;
}

export interface FieldIssue {
  path: string[];
  message: string;
}

/** Rules across the feature fields of one target, as written (after its fields are valid). */
export function featureIssues(target: FeatureFields): FieldIssue[] {
  const issues: FieldIssue[] = [];
  issues.push(...orderingIssues(target));
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
