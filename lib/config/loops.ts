/**
 * Destinations that loop back into the fan-out (docs/bad-input.md): a kinesis target writing into the source
 * stream (each record comes back through the dispatcher: 1 record became 438 in 40 s), and a target writing
 * into one of the stack's own queues, DLQs or functions (its messages are not envelopes: every one fails and
 * lands in a DLQ as unparseable). Checked on the whole configuration, for any stage: `fanout validate` knows no
 * stage, and a stack's names differ only by it (`<service>-<stage>-...`).
 */

import { parseArn } from '../aws/arn.js';

/** The fields of a configuration these rules read (after the schema's defaults). */
export interface LoopFields {
  service: string;
  source: { stream: string };
  targets: ReadonlyArray<{
    name: string;
    type: string;
    destination: string;
    role?: string | undefined;
    region?: string | undefined;
    local?: { destination?: string | undefined } | undefined;
  }>;
}

export interface LoopIssue {
  path: Array<string | number>;
  message: string;
}

/** A deploy stage, as the functions accept it (lib/config/env.ts). */
const STAGE = '[a-z0-9-]{1,16}';

interface Named {
  name: string;
  region?: string;
  account?: string;
}

/** A stream reference (name or ARN) as its name, and its region and account when the ARN gives them. */
function streamOf(reference: string): Named {
  const arn = parseArn(reference);
  if (arn?.service !== 'kinesis') return { name: reference };
  const name = arn.resource.replace(/^stream\//, '').split('/')[0] ?? '';
  return {
    name,
    ...(arn.region ? { region: arn.region } : {}),
    ...(arn.account ? { account: arn.account } : {}),
  };
}

/** A queue reference (name, URL or ARN) as its name. */
function queueNameOf(reference: string): string {
  const arn = parseArn(reference);
  if (arn) return arn.resource;
  if (/^https?:\/\//.test(reference)) return reference.replace(/\/+$/, '').split('/').pop() ?? '';
  return reference;
}

/** A function reference (name, ARN or partial ARN, with an alias or version) as its name. */
function functionNameOf(reference: string): string {
  const at = reference.lastIndexOf('function:');
  return (at >= 0 ? reference.slice(at + 'function:'.length) : reference).split(':')[0] ?? '';
}

const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a kinesis destination is the source stream, as far as the configuration tells: the same name, in the
 * same region and account. A bare name is in the stack's region and account, which `validate` does not know, so
 * a name and an ARN (or a `region`, or a `role` into another account) are compared only where both sides say;
 * the deploy, which knows the region, checks again (lib/deploy/checks.ts).
 */
function isSourceStream(
  destination: string,
  source: Named,
  target: { role?: string | undefined; region?: string | undefined },
): boolean {
  const dest = streamOf(destination);
  if (dest.name !== source.name) return false;
  const region = dest.region ?? target.region;
  if ((region === undefined) !== (source.region === undefined) || region !== source.region) return false;
  const account = dest.account ?? (target.role ? parseArn(target.role)?.account || undefined : undefined);
  return account === source.account;
}

/** Local mode's streams are all local: a local destination with the source's name is the source. */
const isLocalSource = (destination: string, source: Named): boolean =>
  streamOf(destination).name === source.name;

/** Every destination of the configuration that loops back into the fan-out, as issues on its field. */
export function loopIssues(config: LoopFields): LoopIssue[] {
  const source = streamOf(config.source.stream);
  const names = config.targets.map((t) => literal(t.name)).join('|');
  const prefix = `${literal(config.service)}-${STAGE}-`;
  const ownQueue = new RegExp(
    `^${prefix}(?:(?:${names})-(?:queue|dlq)(?:-quarantine)?|dispatcher-failures)(?:\\.fifo)?$`,
  );
  const ownFunction = new RegExp(`^${prefix}(?:dispatcher|(?:${names})-worker)$`);
  const issues: LoopIssue[] = [];
  config.targets.forEach((target, index) => {
    const destinations: Array<[Array<string | number>, string, boolean]> = [
      [['destination'], target.destination, isSourceStream(target.destination, source, target)],
    ];
    if (target.local?.destination) {
      const local = target.local.destination;
      destinations.push([['local', 'destination'], local, isLocalSource(local, source)]);
    }
    for (const [field, destination, isSource] of destinations) {
      const path = ['targets', index, ...field];
      if (target.type === 'kinesis' && isSource) {
        issues.push({
          path,
          message: `"${destination}" is the source stream: every record written there comes back through the fan-out, again and again`,
        });
      }
      if (target.type === 'sqs' && ownQueue.test(queueNameOf(destination))) {
        issues.push({
          path,
          message: `"${destination}" is a queue of this stack (hand-off queue, DLQ or failure queue of service "${config.service}"): its workers and replay read envelopes there, and every record written there would fail as unparseable`,
        });
      }
      if (target.type === 'lambda' && ownFunction.test(functionNameOf(destination))) {
        issues.push({
          path,
          message: `"${destination}" is a function of this stack (service "${config.service}"); a lambda target must be another function`,
        });
      }
    }
  });
  return issues;
}
