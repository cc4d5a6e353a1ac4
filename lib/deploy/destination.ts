import { parseArn } from '../aws/arn.js';
import { AWS_RESOURCES, type ResourceKind } from '../aws/names.js';
import type { TargetConfig, TargetType } from '../config/index.js';
import { type CfnValue, sub } from './cfn.js';

/** A destination type in IAM: what its ARN and names look like, and the actions a worker needs (writes only). */
interface DestinationKind {
  resource: ResourceKind;
  actions: string[];
}

const KINDS: Record<Exclude<TargetType, 'http'>, DestinationKind> = {
  kinesis: { resource: AWS_RESOURCES.stream, actions: ['kinesis:PutRecord', 'kinesis:PutRecords'] },
  // GetQueueUrl: the worker resolves the queue URL from its name at start.
  sqs: { resource: AWS_RESOURCES.queue, actions: ['sqs:SendMessage', 'sqs:GetQueueUrl'] },
  sns: { resource: AWS_RESOURCES.topic, actions: ['sns:Publish'] },
  firehose: {
    resource: AWS_RESOURCES.deliveryStream,
    actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
  },
  eventbridge: { resource: AWS_RESOURCES.eventBus, actions: ['events:PutEvents'] },
  lambda: { resource: AWS_RESOURCES.function, actions: ['lambda:InvokeFunction'] },
};

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` and the legacy `<region>.queue.amazonaws.com`. */
const QUEUE_URL =
  /^https:\/\/(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?\/(\d{12})\/([^/]+)$/;

/** Why a destination cannot be one of this target type (undefined when it can); the message names the value. */
export function destinationProblem(type: TargetType, destination: string): string | undefined {
  if (type === 'http') return undefined;
  const { service, prefix, name } = KINDS[type].resource;
  const arn = parseArn(destination);
  if (arn) {
    if (arn.service !== service) {
      return `"${destination}" is an ARN of ${arn.service}, but ${withArticle(type)} target needs an ARN of ${service} (arn:aws:${service}:<region>:<account>:${prefix}<name>)`;
    }
    const named = arn.resource.startsWith(prefix) ? arn.resource.slice(prefix.length) : undefined;
    if (!named || !name.pattern.test(named)) {
      return `"${destination}" is not ${withArticle(type)} ARN: the resource part must be ${prefix}<name> with ${name.words}`;
    }
    return undefined;
  }
  if (type === 'sqs' && QUEUE_URL.test(destination)) return undefined;
  if (!name.pattern.test(destination)) {
    const url = type === 'sqs' ? ', a queue URL' : '';
    return `"${destination}" is neither an ARN of ${service}${url} nor ${name.words}`;
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
  const { service, prefix } = KINDS[type].resource;
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
    arn = sub(`arn:\${AWS::Partition}:${service}:${region}:\${AWS::AccountId}:${prefix}${destination}`);
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
  const resource = arn ? arn.resource.slice(AWS_RESOURCES.function.prefix.length) : destination;
  return resource.includes(':');
}
