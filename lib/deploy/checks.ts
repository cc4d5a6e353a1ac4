import { parseArn, streamNameOf } from '../aws/arn.js';
import { type ConfigProblem, type FanoutConfig, isDiscoveredTarget } from '../config/index.js';
import { destinationProblem } from './destination.js';
import { type DeployNames, NAME_LIMITS } from './names.js';

/** Same rule as `FANOUT_STAGE` in the function environment contract: the functions refuse any other stage. */
const STAGE_PATTERN = /^[a-z0-9-]{1,16}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Problems that the config schema cannot see because they depend on where the stack goes (stage, region) or
 * on AWS rules for the generated resources: name lengths, ARNs of the wrong service, a stream the event
 * source mapping cannot read. Each problem names the config field to change. An empty list: deployable.
 */
export function deployProblems(config: FanoutConfig, names: DeployNames, stage: string): ConfigProblem[] {
  if (!STAGE_PATTERN.test(stage)) {
    return [
      { path: 'stage', message: `"${stage}" is not allowed: --stage must be 1-16 characters of [a-z0-9-]` },
    ];
  }
  const problems: ConfigProblem[] = [];
  if (!REGION_PATTERN.test(names.region)) {
    problems.push({ path: 'region', message: `"${names.region}" is not an AWS region (--region)` });
  }
  problems.push(...sourceProblems(config, names));

  const why = `shorten it, the service ("${config.service}") or the stage ("${stage}")`;
  const length = (path: string, what: string, name: string, limit: number): void => {
    if (name.length > limit) {
      problems.push({
        path,
        message: `makes the ${what} "${name}" ${name.length} characters long; AWS allows ${limit}: ${why}`,
      });
    }
  };
  length('service', 'Lambda function name', names.dispatcherFunction(), NAME_LIMITS.lambdaFunction);
  length('service', 'IAM role name', names.dispatcherRole(), NAME_LIMITS.iamRole);
  length('service', 'SQS queue name', names.dispatcherFailureQueue(), NAME_LIMITS.sqsQueue);
  length('service', 'DynamoDB table name', names.idempotencyTable(), NAME_LIMITS.dynamodbTable);
  length('service', 'alarm name', names.dispatcherFailureQueueAlarm(), NAME_LIMITS.alarm);
  if (config.source.enhancedFanOut) {
    length('service', 'stream consumer name', names.sourceConsumer(), NAME_LIMITS.kinesisConsumer);
  }

  const functionNames = new Set([
    names.dispatcherFunction(),
    ...config.targets.map((t) => names.workerFunction(t.name)),
  ]);
  config.targets.forEach((target, index) => {
    const at = `targets[${index}]`;
    length(
      `${at}.name`,
      'Lambda function name',
      names.workerFunction(target.name),
      NAME_LIMITS.lambdaFunction,
    );
    length(`${at}.name`, 'IAM role name', names.workerRole(target.name), NAME_LIMITS.iamRole);
    length(`${at}.name`, 'SQS queue name', names.targetDlq(target), NAME_LIMITS.sqsQueue);
    if (target.via === 'queue') {
      length(`${at}.name`, 'SQS queue name', names.targetQueue(target), NAME_LIMITS.sqsQueue);
    }
    length(`${at}.name`, 'alarm name', names.workerThrottlesAlarm(target.name), NAME_LIMITS.alarm);

    // The discovered target's destination is its prefix and `*`: IAM's pattern of the streams it may write.
    if (isDiscoveredTarget(target, config.discover)) return;
    const problem = destinationProblem(target.type, target.destination);
    if (problem) {
      problems.push({ path: `${at}.destination`, message: problem });
      return;
    }
    if (target.type === 'kinesis' && isSameStream(target.destination, config.source.stream, names.region)) {
      problems.push({
        path: `${at}.destination`,
        message: `"${target.destination}" is the source stream: every record written there would come back through the fan-out`,
      });
    }
    if (target.type === 'lambda' && functionNames.has(target.destination.split(':')[0]!)) {
      problems.push({
        path: `${at}.destination`,
        message: `"${target.destination}" is a function of this stack; a lambda target must be another function`,
      });
    }
  });
  return problems;
}

function sourceProblems(config: FanoutConfig, names: DeployNames): ConfigProblem[] {
  const { source } = config;
  const problems: ConfigProblem[] = [];
  const arn = parseArn(source.stream);
  if (arn && source.create) {
    problems.push({
      path: 'source.create',
      message: `is true but source.stream is an ARN; set source.create: false to read that existing stream, or give a stream name to create one`,
    });
  }
  if (arn && arn.region !== names.region) {
    problems.push({
      path: 'source.stream',
      message: `"${source.stream}" is in ${arn.region}, but the stack deploys to ${names.region}; a Lambda event source mapping reads only streams of its own region (--region ${arn.region})`,
    });
  }
  if (source.startingPosition === 'AT_TIMESTAMP' && source.startingPositionTimestamp === undefined) {
    problems.push({
      path: 'source.startingPositionTimestamp',
      message: 'is required with startingPosition AT_TIMESTAMP (seconds since the epoch)',
    });
  }
  return problems;
}

/** Two stream references (names or ARNs) name the same stream; a bare name is in the stack's region. */
function isSameStream(a: string, b: string, region: string): boolean {
  if (streamNameOf(a) !== streamNameOf(b)) return false;
  const arnA = parseArn(a);
  const arnB = parseArn(b);
  if (arnA && arnB) return arnA.region === arnB.region && arnA.account === arnB.account;
  const arn = arnA ?? arnB;
  return !arn || arn.region === region;
}
