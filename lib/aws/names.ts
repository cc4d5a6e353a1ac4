/**
 * The AWS resources fanout writes to: each kind's ARN service and resource prefix, and how its names look, as a
 * pattern and as the words an error message explains it with. Pattern and words come from one spec, so a message
 * can never describe a rule other than the one checked.
 */

/** A resource name's rule: `pattern` matches a whole name, `words` says the same to a user. */
export interface NameRule {
  pattern: RegExp;
  /** E.g. "a stream name ([A-Za-z0-9_.-], 1-128 characters)". */
  words: string;
}

/** A kind of resource: `arn:<partition>:<service>:<region>:<account>:<prefix><name>`. */
export interface ResourceKind {
  /** The ARN's service (`events` for an EventBridge bus). */
  service: string;
  /** The resource part before the name (`stream/`); empty where the name is the whole resource part. */
  prefix: string;
  name: NameRule;
}

/** What may follow the name: `.fifo` (counted in the length), or a Lambda `:alias` / `:version`. */
type NameSuffix = 'fifo' | 'qualifier';

/** A name of 1 to `max` characters of the class `[chars]`, and the words for it. */
function nameRule(noun: string, chars: string, max: number, suffix?: NameSuffix): NameRule {
  const words = `${noun} ([${chars}], 1-${max} characters`;
  if (suffix === 'fifo') {
    return { pattern: anchored(`(?=.{1,${max}}$)[${chars}]+(\\.fifo)?`), words: `${words}, optional .fifo)` };
  }
  if (suffix === 'qualifier') {
    return {
      pattern: anchored(`[${chars}]{1,${max}}(:[A-Za-z0-9$_-]{1,128})?`),
      words: `${words}, optional :alias or :version)`,
    };
  }
  return { pattern: anchored(`[${chars}]{1,${max}}`), words: `${words})` };
}

const anchored = (body: string): RegExp => new RegExp(`^${body}$`);

/** A name of this kind, or its ARN in any partition, region and account (as a config may name a stream). */
export function nameOrArnPattern({ service, prefix, name }: ResourceKind): RegExp {
  const body = name.pattern.source.slice(1, -1); // every name pattern is anchored()
  return anchored(`(arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:${prefix}${body}|${body})`);
}

const kind = (service: string, prefix: string, name: NameRule): ResourceKind => ({ service, prefix, name });

/** Each kind, with its name rule as the service documents it. */
export const AWS_RESOURCES = {
  stream: kind('kinesis', 'stream/', nameRule('a stream name', 'A-Za-z0-9_.-', 128)),
  queue: kind('sqs', '', nameRule('a queue name', 'A-Za-z0-9_-', 80, 'fifo')),
  topic: kind('sns', '', nameRule('a topic name', 'A-Za-z0-9_-', 256, 'fifo')),
  deliveryStream: kind('firehose', 'deliverystream/', nameRule('a delivery stream name', 'A-Za-z0-9_.-', 64)),
  eventBus: kind('events', 'event-bus/', nameRule('an event bus name', 'A-Za-z0-9/._-', 256)),
  function: kind('lambda', 'function:', nameRule('a function name', 'A-Za-z0-9_-', 64, 'qualifier')),
} as const;
