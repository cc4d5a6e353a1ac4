import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { streamNameOf } from '../aws/arn.js';
import { isDiscoveredTarget } from '../config/features.js';
import type { Naming } from '../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../config/schema.js';
import {
  ensureBucket,
  ensureQueue,
  ensureStream,
  ensureTable,
  FIFO,
  type LocalClients,
} from './resources.js';

export type { LocalClients } from './resources.js';

/** What local mode made of a target. */
export interface LocalTarget {
  name: string;
  type: TargetConfig['type'];
  via: TargetConfig['via'];
  /** Where it delivers locally (stream or queue name, topic ARN, URL). */
  destination: string;
  /** Why it is off in local mode (a destination type no local emulator provides). */
  disabled?: string;
  /** The target's hand-off queue (`via: queue`). */
  queueUrl?: string;
  dlqUrl: string;
  dlqArn: string;
}

export interface LocalStack {
  /** The configuration the local functions run with: destinations made local, unemulated targets disabled. */
  config: FanoutConfig;
  sourceStream: string;
  failureQueueUrl: string;
  failureQueueArn: string;
  targets: LocalTarget[];
  /** Local destination queues and streams by name, for tail and tests. */
  destinationQueues: Map<string, string>;
  /** The local bucket of claim-checked records (with `claimCheck`), on fauxqs's S3. */
  claimCheckBucket?: string;
}

/** Types with no local emulator: their targets are disabled in local mode, with the reason printed. */
const NOT_EMULATED: Partial<Record<TargetConfig['type'], string>> = {
  firehose: 'no local Firehose emulator',
  eventbridge: 'no local EventBridge emulator',
  lambda: 'lambda destinations are not emulated locally',
};

/**
 * Creates everything local mode needs from the configuration (idempotently, so a persisted `--data-dir` can be
 * reused): the source stream, local destinations (streams, queues, SNS topics), each target's queue and DLQ,
 * the dispatcher's failure queue and the idempotency table.
 */
export async function createLocalStack(
  config: FanoutConfig,
  names: Naming,
  clients: LocalClients,
  receiverUrl: string,
): Promise<LocalStack> {
  const sourceStream = streamNameOf(config.source.stream);
  await Promise.all([
    ensureStream(clients.kinesis, sourceStream, config.source.shards),
    ensureTable(clients.dynamo, names.idempotencyTable()),
  ]);
  const failure = await ensureQueue(clients.sqs, names.dispatcherFailureQueue(), {
    MessageRetentionPeriod: '1209600',
  });
  const made: LocalMaking = { config, names, clients, receiverUrl, destinationQueues: new Map() };
  const targets: LocalTarget[] = [];
  const localTargets: TargetConfig[] = [];
  for (const target of config.targets) {
    const { local, made: localTarget } = await makeLocalTarget(target, made);
    localTargets.push(local);
    targets.push(localTarget);
  }
  const claimCheckBucket = config.claimCheck ? await ensureBucket(clients, config, names) : undefined;
  return {
    ...(claimCheckBucket ? { claimCheckBucket } : {}),
    config: { ...config, source: { ...config.source, stream: sourceStream }, targets: localTargets },
    sourceStream,
    failureQueueUrl: failure.url,
    failureQueueArn: failure.arn,
    targets,
    destinationQueues: made.destinationQueues,
  };
}

/** What making a target local works with; `destinationQueues` collects the local destination queues. */
interface LocalMaking {
  config: FanoutConfig;
  names: Naming;
  clients: LocalClients;
  receiverUrl: string;
  destinationQueues: Map<string, string>;
}

/**
 * One target made local: its DLQ, its destination in the emulators, its hand-off queue (`via: queue`); off when
 * no emulator provides its destination type, or when fanout.yml disables it. `local` is the target as the local
 * functions run it.
 */
async function makeLocalTarget(
  target: TargetConfig,
  making: LocalMaking,
): Promise<{ local: TargetConfig; made: LocalTarget }> {
  const { clients, names } = making;
  const dlq = await ensureQueue(clients.sqs, names.targetDlq(target), {
    MessageRetentionPeriod: '1209600',
    ...(target.ordered ? FIFO : {}),
  });
  let destination = target.local?.destination ?? target.destination;
  let disabled = NOT_EMULATED[target.type];
  // Local destinations live in the emulators: no other account or region to reach, no role to assume.
  const { role: _role, externalId: _externalId, region: _region, ...local }: TargetConfig = { ...target };
  if (!disabled && target.enabled) destination = await localDestination(target, destination, local, making);
  if (disabled || !target.enabled) {
    local.enabled = false;
    disabled ??= 'disabled in fanout.yml';
  }
  local.destination = destination;
  let queueUrl: string | undefined;
  if (target.via === 'queue' && local.enabled) {
    queueUrl = (
      await ensureQueue(clients.sqs, names.targetQueue(target), {
        ...(target.ordered ? FIFO : {}),
        // Lambda's rule: at least 6 x the function timeout, so a slow batch is not handed out twice.
        VisibilityTimeout: String(Math.min(43_200, 6 * target.timeout)),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: target.retries + 1,
        }),
      })
    ).url;
  }
  return {
    local,
    made: {
      name: target.name,
      type: target.type,
      via: target.via,
      destination,
      ...(disabled ? { disabled } : {}),
      ...(queueUrl ? { queueUrl } : {}),
      dlqUrl: dlq.url,
      dlqArn: dlq.arn,
    },
  };
}

/**
 * A running target's destination, created in the emulators (a stream, a queue, a topic; an http target at the
 * local receiver unless `local.destination` names another). An http target's `local` settings are loosened for
 * the receiver.
 */
async function localDestination(
  target: TargetConfig,
  destination: string,
  local: TargetConfig,
  making: LocalMaking,
): Promise<string> {
  const { clients } = making;
  if (isDiscoveredTarget(target, making.config.discover)) {
    // Its streams are found at run time (ListStreams on kinesalite): nothing to create.
    return destination;
  }
  if (target.type === 'kinesis') {
    const stream = streamNameOf(destination);
    await ensureStream(clients.kinesis, stream, 1);
    return stream;
  }
  if (target.type === 'sqs') {
    const name = destination.split('/').pop() ?? destination;
    const url = (await ensureQueue(clients.sqs, name, name.endsWith('.fifo') ? { FifoQueue: 'true' } : {}))
      .url;
    making.destinationQueues.set(name, url);
    return url;
  }
  if (target.type === 'sns') {
    const name = destination.split(':').pop() ?? destination;
    const out = await clients.sns.send(
      new CreateTopicCommand({
        Name: name,
        ...(name.endsWith('.fifo') ? { Attributes: { FifoTopic: 'true' } } : {}),
      }),
    );
    return out.TopicArn ?? destination;
  }
  if (target.type !== 'http') return destination;
  local.http = {
    method: 'POST',
    headers: {},
    contentType: 'application/octet-stream',
    timeoutMs: 10_000,
    ...target.http,
    allowInsecure: true,
    // The local receiver is on loopback by design.
    allowPrivate: true,
  };
  return !target.local?.destination || target.local.destination === 'receiver'
    ? `${making.receiverUrl}/${target.name}`
    : destination;
}
