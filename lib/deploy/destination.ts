import { parseArn } from '../aws/arn.js';
import type { TargetConfig, TargetType } from '../config/index.js';
import { type CfnValue, sub } from './cfn.js';

/** What a destination type is in IAM: the ARN's service, its resource part, how a name looks, what a worker calls. */
interface DestinationKind {
  service: string;
  /** ARN resource part from a name (`stream/<name>`). */
  resource(name: string): string;
  /** A valid name of this kind (the part a user writes instead of an ARN). */
  namePattern: RegExp;
  nameRule: string;
  /** Actions a worker needs to deliver: writes only. */
  actions: string[];
}

const KINDS: Record<Exclude<TargetType, 'http'>, DestinationKind> = {
  kinesis: {
    service: 'kinesis',
    resource: (name) => `stream/${name}`,
    namePattern: /^[A-Za-z0-9_.-]{1,128}$/,
    nameRule: 'a stream name ([A-Za-z0-9_.-], 1-128 characters)',
    actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
  },
  sqs: {
    service: 'sqs',
    resource: (name) => name,
    namePattern: /^(?=.{1,80}$)[A-Za-z0-9_-]+(\.fifo)?$/,
    nameRule: 'a queue name ([A-Za-z0-9_-], 1-80 characters, optional .fifo), queue URL',
    // GetQueueUrl: the worker resolves the queue URL from its name at start.
    actions: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
  },
  sns: {
    service: 'sns',
    resource: (name) => name,
    namePattern: /^(?=.{1,256}$)[A-Za-z0-9_-]+(\.fifo)?$/,
    nameRule: 'a topic name ([A-Za-z0-9_-], 1-256 characters, optional .fifo)',
    actions: ['sns:Publish'],
  },
  firehose: {
    service: 'firehose',
    resource: (name) => `deliverystream/${name}`,
    namePattern: /^[A-Za-z0-9_.-]{1,64}$/,
    nameRule: 'a delivery stream name ([A-Za-z0-9_.-], 1-64 characters)',
    actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
  },
  eventbridge: {
    service: 'events',
    resource: (name) => `event-bus/${name}`,
    namePattern: /^[A-Za-z0-9/._-]{1,256}$/,
    nameRule: 'an event bus name ([A-Za-z0-9/._-], 1-256 characters)',
    actions: ['events:PutEvents'],
  },
  lambda: {
    service: 'lambda',
    resource: (name) => `function:${name}`,
    namePattern: /^[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$/,
    nameRule: 'a function name ([A-Za-z0-9_-], 1-64 characters, optional :alias or :version)',
    actions: ['lambda:InvokeFunction'],
  },
};

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` and the legacy `<region>.queue.amazonaws.com`. */
const QUEUE_URL =
  /^https:\/\/(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?\/(\d{12})\/([^/]+)$/;

/** Why a destination cannot be one of this target type (undefined when it can); the message names the value. */
export function destinationProblem(type: TargetType, destination: string): string | undefined {
  if (type === 'http') return undefined;
  const kind = KINDS[type];
  const arn = parseArn(destination);
  if (arn) {
    if (arn.service !== kind.service) {
      return `"${destination}" is an ARN of ${arn.service}, but ${withArticle(type)} target needs an ARN of ${kind.service} (arn:aws:${kind.service}:<region>:<account>:${kind.resource('<name>')})`;
    }
    const prefix = kind.resource('');
    const name = arn.resource.startsWith(prefix) ? arn.resource.slice(prefix.length) : undefined;
    if (!name || !kind.namePattern.test(name)) {
      return `"${destination}" is not ${withArticle(type)} ARN: the resource part must be ${kind.resource('<name>')} with ${kind.nameRule}`;
    }
    return undefined;
  }
  if (type === 'sqs' && QUEUE_URL.test(destination)) return undefined;
  if (!kind.namePattern.test(destination)) {
    return `"${destination}" is neither an ARN of ${kind.service} nor ${kind.nameRule}`;
  }
  return undefined;
}

/** "an sqs", "a kinesis": how the type reads aloud (S-Q-S, not "squiz"). */
function withArticle(type: TargetType): string {
  return `${['sqs', 'sns', 'eventbridge', 'http'].includes(type) ? 'an' : 'a'} ${type}`;
}

/** IAM actions a worker needs to write to this target's destination (none for http). */
export function destinationActions(type: TargetType): string[] {
  return type === 'http' ? [] : [...KINDS[type].actions];
}

/**
 * ARNs a worker's write permission is scoped to. A bare name lives in the stack's own account, and in the
 * target's `region` or else the stack's; a Lambda function name without a qualifier also covers its versions
 * and aliases (`:*`). Call only for a destination that passed {@link destinationProblem}.
 */
export function destinationArns(
  target: Pick<TargetConfig, 'type' | 'destination'> & { region?: string | undefined },
): CfnValue[] {
  const { type, destination } = target;
  if (type === 'http') return [];
  const kind = KINDS[type];
  const url = type === 'sqs' ? QUEUE_URL.exec(destination) : null;
  let arn: CfnValue;
  if (parseArn(destination)) {
    arn = destination;
  } else if (url) {
    const partition = destination.includes('.amazonaws.com.cn/') ? 'aws-cn' : 'aws';
    arn = `arn:${partition}:sqs:${url[1] ?? url[2]}:${url[3]}:${url[4]}`;
  } else {
    // A CloudFormation placeholder for Fn::Sub, not a template literal.
    const region = target.region ?? `\${AWS::Region}`;
    arn = sub(
      `arn:\${AWS::Partition}:${kind.service}:${region}:\${AWS::AccountId}:${kind.resource(destination)}`,
    );
  }
  if (type === 'lambda' && !isQualifiedFunction(destination)) {
    return [
      arn,
      typeof arn === 'string' ? `${arn}:*` : sub(`${(arn as { 'Fn::Sub': string })['Fn::Sub']}:*`),
    ];
  }
  return [arn];
}

/** `name:alias` or `arn:...:function:name:alias`. */
function isQualifiedFunction(destination: string): boolean {
  const arn = parseArn(destination);
  const resource = arn ? arn.resource.slice('function:'.length) : destination;
  return resource.includes(':');
}
