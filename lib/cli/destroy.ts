import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Command, InvalidArgumentError } from 'commander';
import type { ClientPool } from '../aws/clients.js';
import { retainedResources } from '../deploy/retained.js';
import { deleteRetained } from '../operate/destroy/delete.js';
import { type DestroyClients, stackState, takeInventory } from '../operate/destroy/inventory.js';
import { renderDeletion, renderInventory } from '../operate/destroy/render.js';
import { openOperateContext } from './operate-context.js';
import { awsOptions, configOption } from './options.js';
import type { SessionOptions } from './session.js';
import type { CommandIo } from './validate.js';

export interface DestroyOptions extends SessionOptions {
  config?: string;
  /** Delete for real; without it the command lists what it would delete and deletes nothing. */
  yes?: boolean;
  json?: boolean;
}

/**
 * `fanout destroy`: the one way to delete what the stack retains (queues and DLQs with their messages, the
 * idempotency table, a stream it created, the claim-check bucket, log groups). Lists them first, always;
 * deletes only with `--yes`, and only once the stack itself is removed (`serverless remove`), so nothing is
 * deleted under a running pipeline. Exit code 0 when nothing of it is left, 1 otherwise.
 */
export async function destroyCommand(
  options: DestroyOptions,
  io: CommandIo,
  pool?: ClientPool,
): Promise<number> {
  const ctx = openOperateContext(options, pool);
  if (ctx.session.mode === 'local') {
    throw new InvalidArgumentError(
      'destroy deletes AWS resources; local mode keeps its state in .fanout/ (stop it and delete that folder). Pass --region to talk to AWS',
    );
  }
  const clients: DestroyClients = {
    cloudformation: ctx.clients.get(CloudFormationClient),
    sqs: ctx.clients.get(SQSClient),
    dynamodb: ctx.clients.get(DynamoDBClient),
    kinesis: ctx.clients.get(KinesisClient),
    logs: ctx.clients.get(CloudWatchLogsClient),
    s3: ctx.clients.get(S3Client),
  };
  const region = options.region ?? (await clients.sqs.config.region());
  const stack = await stackState(clients.cloudformation, ctx.names.prefix);
  const found = await takeInventory(retainedResources(ctx.config, ctx.names), ctx.names.prefix, clients);
  const present = found.filter((r) => r.state !== 'absent');
  const where = `--stage ${ctx.session.stage} --region ${region}`;

  const inventory = options.json
    ? JSON.stringify({ stack, region, resources: found, deleted: false }, null, 2)
    : renderInventory(stack, region, found);
  if (present.length === 0) {
    io.out(
      options.json ? inventory : `None of the ${found.length} resources ${stack.name} retains is there.`,
    );
    io.err('Nothing to delete.');
    return 0;
  }
  if (!options.yes || stack.status) {
    io.out(inventory);
    io.err(
      stack.status
        ? `Nothing deleted: the stack is deployed. Remove it first (it keeps the resources above): npx serverless remove ${where}; then fanout destroy ${where} --yes`
        : `Nothing deleted. To delete these ${present.length} resources and everything they hold, for good: fanout destroy ${where} --yes`,
    );
    return 1;
  }

  const results = await deleteRetained(found, clients);
  io.out(options.json ? JSON.stringify({ stack, region, results }, null, 2) : renderDeletion(results));
  const left = results.filter((r) => r.outcome === 'failed' || r.outcome === 'kept');
  if (left.length > 0) io.err(`${left.length} resource(s) left in place: see above.`);
  return left.length > 0 ? 1 : 0;
}

/** Adds `fanout destroy` to the program. */
export function registerDestroy(program: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  configOption(
    awsOptions(
      program
        .command('destroy')
        .description(
          'List the resources a removed stack retained (queues, DLQs, table, stream, bucket, log groups); --yes deletes them and their data.',
        )
        .option('-y, --yes', 'delete them, and everything they hold, for good')
        .option('--json', 'print JSON for scripts'),
    ),
  ).action(async (o: DestroyOptions) => setExitCode(await destroyCommand(o, io)));
}
