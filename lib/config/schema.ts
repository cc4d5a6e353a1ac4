import * as z from 'zod/mini';
import { AWS_RESOURCES, nameOrArnPattern } from '../aws/names.js';
import { redactUrl } from '../observability/redact.js';
import { filterSchema, transformSchema } from '../routing/schema.js';
import { CONFIG_LIMITS } from './bounds.js';
import {
  ASYNC_INVOKE_PAYLOAD_LIMIT,
  DEFAULT_SOURCE_BATCH_SIZE,
  DEFAULT_SOURCE_RETRY_ATTEMPTS,
  DEFAULT_TARGET_RETRIES,
  HANDOFF_MODES,
  type HandoffMode,
  IDEMPOTENCY_MODES,
  SQS_MESSAGE_LIMIT,
  STARTING_POSITIONS,
  TARGET_NAME_PATTERN,
  TARGET_NAME_RULE,
  TARGET_TYPES,
} from './constants.js';
import {
  claimCheckFields,
  claimCheckSchema,
  defaultVia,
  discoverFields,
  discoverIssues,
  externalIdSchema,
  featureIssues,
  isOrdered,
  orderedBecause,
  regionSchema,
  roleArnSchema,
} from './features.js';
import { loopIssues } from './loops.js';
import { parseSecretRef, SECRET_REF_RULE } from './secret-ref.js';

// zod/mini (functional API): the functions bundle this schema, and classic zod adds ~440 KB to each bundle.
const int = (min: number, max: number): z.ZodMiniInt => z.int().check(z.minimum(min), z.maximum(max));
const def = z._default;

/** Kinesis event source mapping settings of the dispatcher (Lambda's limits). */
const sourceSchema = z.strictObject({
  /** Stream name or ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`). */
  stream: z
    .string()
    .check(
      z.regex(
        nameOrArnPattern(AWS_RESOURCES.stream),
        `must be ${AWS_RESOURCES.stream.name.words} or a Kinesis stream ARN`,
      ),
    ),
  batchSize: def(int(1, 10_000), DEFAULT_SOURCE_BATCH_SIZE),
  batchWindow: def(int(0, 300), 0),
  parallelizationFactor: def(int(1, 10), 1),
  startingPosition: def(z.enum(STARTING_POSITIONS), 'LATEST'),
  startingPositionTimestamp: z.optional(z.number()),
  maxRetryAttempts: def(int(-1, 10_000), DEFAULT_SOURCE_RETRY_ATTEMPTS),
  maxRecordAge: def(
    z
      .int()
      .check(
        z.refine((v) => v === -1 || (v >= 60 && v <= 604_800), 'must be -1 (forever) or 60-604800 seconds'),
      ),
    -1,
  ),
  bisectOnError: def(z.boolean(), true),
  /** Create the stream with the stack (false: reference an existing one). */
  create: def(z.boolean(), true),
  shards: def(int(1, 10_000), 1),
  retentionHours: def(int(24, 8_760), 24),
  /** Read through an enhanced fan-out consumer (2 MB/s of its own per shard). */
  enhancedFanOut: def(z.boolean(), false),
});

const dispatcherSchema = z.strictObject({
  timeout: def(int(3, 900), 60),
  memory: def(int(128, 10_240), 1024),
  /** Hand-off calls in flight at once, over all targets. */
  handoffConcurrency: def(int(1, 256), 16),
  /** Bytes of one envelope handed to `Invoke` with `InvocationType: Event`. */
  invokePayloadLimit: def(int(1024, ASYNC_INVOKE_PAYLOAD_LIMIT), ASYNC_INVOKE_PAYLOAD_LIMIT),
  /** Bytes of one SQS message (and of one SendMessageBatch call). */
  queueMessageLimit: def(int(1024, SQS_MESSAGE_LIMIT), SQS_MESSAGE_LIMIT),
});

// RFC 9110 field names (tokens) and values (visible Latin-1 and tabs: no CR, LF or NUL, which would split a
// request): checked here so `fanout validate` names a bad header, not the worker at its first request.
const headerName = z
  .string()
  .check(
    z.maxLength(CONFIG_LIMITS.headerNameChars),
    z.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a header name (letters, digits, -, no spaces)'),
  );
const headerValue = z
  .string()
  .check(
    z.maxLength(CONFIG_LIMITS.headerValueChars),
    z.regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'must be a header value: no line breaks or control characters'),
  );
/** A stream, queue, topic, bus or function name or ARN, or a URL. */
const destinationText = z.string().check(z.minLength(1), z.maxLength(CONFIG_LIMITS.destinationChars));

/** HMAC signing of each request (docs/security.md). */
const signingSchema = z.strictObject({
  /** `ssm:<parameter>` (SecureString) or `secretsmanager:<name or ARN>`: fetched by the worker, cached 5 min. */
  secret: z.string().check(
    z.maxLength(CONFIG_LIMITS.destinationChars),
    z.refine((v) => parseSecretRef(v) !== undefined, SECRET_REF_RULE),
  ),
  header: def(headerName, 'x-fanout-signature'),
  algorithm: def(z.enum(['sha256']), 'sha256'),
});

const httpOptionsSchema = z.strictObject({
  method: def(z.enum(['POST', 'PUT']), 'POST'),
  headers: def(
    z
      .record(headerName, headerValue)
      .check(
        z.refine(
          (headers) => Object.keys(headers).length <= CONFIG_LIMITS.headers,
          `may hold at most ${CONFIG_LIMITS.headers} headers`,
        ),
      ),
    {},
  ),
  contentType: def(headerValue, 'application/octet-stream'),
  timeoutMs: def(int(100, 900_000), 10_000),
  /** Plain http:// is refused unless this is set (local receivers, tests). */
  allowInsecure: def(z.boolean(), false),
  /**
   * A loopback, private, link-local or metadata address (127.0.0.1, 10.x, 169.254.169.254, localhost, ...) is
   * reported as a warning unless this is set: a worker in a VPC may mean it, a typo or a copied example not.
   */
  allowPrivate: def(z.boolean(), false),
  signing: z.optional(signingSchema),
});

const eventBridgeOptionsSchema = z.strictObject({
  source: def(z.string().check(z.minLength(1), z.maxLength(256)), 'kinesis-fanout'),
  detailType: def(z.string().check(z.minLength(1), z.maxLength(128)), 'kinesis-record'),
});

const localOptionsSchema = z.strictObject({
  /**
   * A local stream or queue name, a URL, or `receiver` (the built-in HTTP receiver). http targets default
   * to `receiver`, so local mode never posts to a real endpoint unless told to.
   */
  destination: z.optional(destinationText),
});

const targetFields = z.strictObject({
  name: z.string().check(z.regex(TARGET_NAME_PATTERN, TARGET_NAME_RULE)),
  type: z.enum(TARGET_TYPES),
  /** Stream / queue / topic / delivery stream / bus / function (name or ARN), or URL for http. */
  destination: destinationText,
  /** Default `queue` (a FIFO queue) for an ordered target, else `invoke`. */
  via: z.optional(z.enum(HANDOFF_MODES)),
  concurrency: def(int(1, 1000), 5),
  /** Worker attempts after the first before the envelope goes to the target's DLQ. */
  retries: def(int(0, 999), DEFAULT_TARGET_RETRIES),
  enabled: def(z.boolean(), true),
  /**
   * `store`: skip records already delivered using the DynamoDB idempotency table.
   * `native`: rely on the destination (SQS/SNS FIFO deduplication id, http `Idempotency-Key`).
   * `none`: at-least-once delivery, no store operations.
   * Default: `native` for FIFO queues and topics, `store` otherwise.
   */
  idempotency: z.optional(z.enum(IDEMPOTENCY_MODES)),
  timeout: def(int(3, 900), 30),
  memory: def(int(128, 10_240), 512),
  /** Maximum event age for `via: invoke` (Lambda EventInvokeConfig). */
  maxEventAge: def(int(60, 21_600), 21_600),
  /** SQS event source mapping batch size for `via: queue`. */
  batchSize: def(int(1, 10_000), 10),
  /** Only records whose JSON data matches this EventBridge-style content pattern (docs/routing.md). */
  filter: z.optional(filterSchema),
  /** Projection of the record's JSON data, applied by the worker before delivery (docs/routing.md). */
  transform: z.optional(transformSchema),
  /**
   * Keep each partition key's order: hand off through an SQS FIFO queue whose message groups are hash buckets
   * of the partition key (docs/routing.md). Default: true for ordered destinations (kinesis, FIFO queues and
   * topics), false for the others.
   */
  ordered: z.optional(z.boolean()),
  /**
   * Message groups (hash buckets of the partition key) of an ordered target, default 8: a failing record holds
   * back its bucket's keys; each bucket costs a message per batch. Changing it moves keys to other groups: let
   * the target's queue drain first, or a key's old and new groups may deliver at the same time.
   */
  messageGroups: z.optional(int(1, 100_000)),
  /** IAM role (in the destination's account) the worker assumes to deliver (docs/routing.md). */
  role: z.optional(roleArnSchema),
  /** ExternalId passed to AssumeRole, as the role's trust policy requires. */
  externalId: z.optional(externalIdSchema),
  /** Region of a destination given by name (or URL) outside the stack's region. */
  region: z.optional(regionSchema),
  http: z.optional(httpOptionsSchema),
  eventbridge: z.optional(eventBridgeOptionsSchema),
  /** Local mode only (`fanout local`): where this target delivers instead of `destination`. */
  local: z.optional(localOptionsSchema),
});

/** A target's fields with `ordered` and `via` filled in (their defaults depend on the destination). */
function withDefaults<
  T extends {
    type: string;
    destination: string;
    via?: HandoffMode | undefined;
    ordered?: boolean | undefined;
  },
>(target: T): Omit<T, 'via' | 'ordered'> & { via: HandoffMode; ordered: boolean } {
  return { ...target, ordered: isOrdered(target), via: defaultVia(target) };
}

/** Where rules report problems: zod's refinement context, or one that prefixes the paths. */
interface IssueSink {
  addIssue(issue: { code: 'custom'; path: Array<string | number>; message: string }): void;
}

type TargetFields = z.output<typeof targetFields>;
type TargetOutput = ReturnType<typeof withDefaults<TargetFields>>;

/** Rules across a target's fields, as written (they run once the fields themselves are valid). */
function checkTarget(fields: TargetFields, ctx: IssueSink): void {
  for (const issue of featureIssues(fields)) ctx.addIssue({ code: 'custom', ...issue });
  const target = withDefaults(fields);
  // 1 is the one value in concurrency's own range (1-1000) that an SQS mapping refuses; others were reported.
  if (target.via === 'queue' && target.concurrency === 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['concurrency'],
      message: `is ${target.concurrency}, but an SQS event source mapping needs 2-1000 (${fields.via === undefined && target.ordered ? `via: queue, as ${orderedBecause(fields)}` : 'via: queue'})`,
    });
  }
  if (target.via === 'invoke' && target.retries > 2) {
    ctx.addIssue({
      code: 'custom',
      path: ['retries'],
      message: `is ${target.retries}, but Lambda retries an async invocation 0-2 times (via: invoke); use via: queue for more`,
    });
  }
  if (target.type === 'http') {
    let url: URL | undefined;
    try {
      url = new URL(target.destination);
    } catch {
      ctx.addIssue({
        code: 'custom',
        path: ['destination'],
        message: `"${target.destination}" is not a URL; an http target needs https://host/path`,
      });
    }
    if (url && url.protocol !== 'https:' && !(url.protocol === 'http:' && target.http?.allowInsecure)) {
      ctx.addIssue({
        code: 'custom',
        path: ['destination'],
        message:
          url.protocol === 'http:'
            ? `"${redactUrl(target.destination)}" is not https; set http.allowInsecure: true to allow plain http`
            : `"${redactUrl(target.destination)}" has protocol ${url.protocol}; an http target needs https://host/path`,
      });
    }
    if (url && (url.username || url.password)) {
      // fetch refuses such a URL, and the credentials would sit in every log line that names the destination.
      ctx.addIssue({
        code: 'custom',
        path: ['destination'],
        message:
          'has credentials in the URL; send them in http.headers (e.g. authorization) or use http.signing',
      });
    }
  }
  if (target.idempotency === 'native' && !supportsNativeIdempotency(target.type, target.destination)) {
    ctx.addIssue({
      code: 'custom',
      path: ['idempotency'],
      message: `"native" needs a destination that deduplicates (an sqs/sns FIFO destination or an http target); use "store" or "none" for ${target.type}`,
    });
  }
}

// The rules run on the fields (zod runs them even when other fields have issues, so all problems are reported at
// once); `via`'s default is filled in after.
const targetSchema = z.pipe(
  targetFields.check(z.superRefine((target, ctx) => checkTarget(target, ctx))),
  z.transform(withDefaults),
);

/** `discover`: the discovery fields and the settings of the one worker that serves every discovered stream. */
const discoverSchema = z.extend(
  z.omit(targetFields, {
    name: true,
    type: true,
    destination: true,
    enabled: true,
    http: true,
    eventbridge: true,
    local: true,
    role: true,
    externalId: true,
    region: true,
  }),
  discoverFields,
);

type DiscoverConfig = z.output<typeof discoverSchema>;

/** The fields of the target `discover` adds, as written: a kinesis target whose destination is the prefix and `*`. */
function discoveredFields(discover: DiscoverConfig): TargetFields {
  const { kinesisStreamPrefix, refreshSeconds: _refresh, name, ...settings } = discover;
  return {
    ...settings,
    name,
    type: 'kinesis' as const,
    destination: `${kinesisStreamPrefix}*`,
    enabled: true,
  };
}

/** The target `discover` adds. */
function discoveredTarget(discover: DiscoverConfig): TargetOutput {
  return withDefaults(discoveredFields(discover));
}

/**
 * Duplicate names, checked on the raw input so they are reported together with every other problem
 * (zod skips refinements of an object whose fields have issues).
 */
export function duplicateNameIssues(
  input: unknown,
): Array<{ path: Array<string | number>; message: string }> {
  const targets = (input as { targets?: unknown })?.targets;
  if (!Array.isArray(targets)) return [];
  const seen = new Map<string, number>();
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  targets.forEach((target: unknown, index) => {
    const name = (target as { name?: unknown })?.name;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else
      issues.push({
        path: ['targets', index, 'name'],
        message: `duplicate target name "${name}" (also targets[${first}].name); names must be unique`,
      });
  });
  return issues;
}

const idempotencySchema = z.strictObject({
  /** Seconds a delivered key is remembered (DynamoDB TTL); longer than the stream retention. */
  ttlSeconds: def(int(60, 31_536_000), 8 * 24 * 3600),
});

export const configSchema = z
  .strictObject({
    /** Service name: prefix of every resource name. */
    service: def(
      z
        .string()
        .check(
          z.regex(/^[a-z][a-z0-9-]{0,23}$/, 'must be 1-24 characters of [a-z0-9-], starting with a letter'),
        ),
      'fanout',
    ),
    source: sourceSchema,
    dispatcher: z.prefault(dispatcherSchema, {}),
    idempotency: z.prefault(idempotencySchema, {}),
    targets: z.array(targetSchema).check(z.minLength(1, 'must list at least one target')),
    /**
     * Records above the hand-off limit go to S3 and their envelopes carry a pointer (docs/routing.md). On by
     * default; `false` turns it off.
     */
    claimCheck: claimCheckSchema,
    /** A kinesis target for every stream whose name has a prefix, found at run time (docs/routing.md). */
    discover: z.optional(discoverSchema),
  })
  .check(
    // The discovered target joins `targets`, so the deploy, local mode and the worker treat it as any target.
    // Idempotent: the functions parse a config that local mode already parsed once.
    z.overwrite((config) => {
      const { discover } = config;
      if (!discover || config.targets.some((t) => t.name === discover.name)) return config;
      return { ...config, targets: [...config.targets, discoveredTarget(discover)] };
    }),
    z.superRefine((config, ctx) => {
      const { discover } = config;
      if (discover) {
        const issues = discoverIssues({ ...config, discover });
        for (const issue of issues) ctx.addIssue({ code: 'custom', ...issue });
        // The shared worker's settings, by the rules of any target (unless its name is taken).
        if (!issues.some((i) => i.path[1] === 'name')) {
          checkTarget(discoveredFields(discover), {
            addIssue: (issue) => ctx.addIssue({ ...issue, path: ['discover', ...issue.path] }),
          });
        }
      }
      for (const issue of duplicateNameIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
      for (const issue of loopIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
      if (!config.targets.some((t) => t.enabled)) {
        ctx.addIssue({ code: 'custom', path: ['targets'], message: 'has no enabled target' });
      }
    }),
  );

/** The objects of a configuration, by their path without list indexes (`targets.http` for `targets[2].http`). */
const OBJECTS: Record<string, { shape: Record<string, unknown> }> = {
  '': configSchema,
  source: sourceSchema,
  dispatcher: dispatcherSchema,
  idempotency: idempotencySchema,
  targets: targetFields,
  'targets.http': httpOptionsSchema,
  'targets.http.signing': signingSchema,
  'targets.eventbridge': eventBridgeOptionsSchema,
  'targets.local': localOptionsSchema,
  claimCheck: claimCheckFields,
  discover: discoverSchema,
};

/** The fields an object of the configuration may have, by the path of the object (for "did you mean"). */
export function knownFieldsAt(path: ReadonlyArray<PropertyKey>): string[] {
  const at = path.filter((p): p is string => typeof p === 'string').join('.');
  return Object.keys(OBJECTS[at]?.shape ?? {});
}

/** True when the destination itself drops a repeated idempotency key. */
export function supportsNativeIdempotency(type: string, destination: string): boolean {
  if (type === 'http') return true;
  return (type === 'sqs' || type === 'sns') && destination.endsWith('.fifo');
}

export type FanoutConfigInput = z.input<typeof configSchema>;
export type FanoutConfig = z.output<typeof configSchema>;
export type SourceConfig = FanoutConfig['source'];
export type TargetConfig = FanoutConfig['targets'][number];
export type DispatcherConfig = FanoutConfig['dispatcher'];
export type ClaimCheckConfig = Exclude<FanoutConfig['claimCheck'], false>;
export type DiscoverSettings = NonNullable<FanoutConfig['discover']>;
