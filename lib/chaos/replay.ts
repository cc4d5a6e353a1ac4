import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { awsHandoff } from '../handoff/aws.js';
import { DynamoLedger } from '../ledger/dynamo.js';
import type { LocalPipeline } from '../local/pipeline.js';
import { replayDlq } from '../operate/replay/replay.js';
import { replaySource } from '../operate/replay/source.js';
import { dlqMessages } from './audit.js';

export interface ReplaySummary {
  /** DLQ messages handed to their target again, per target. */
  messages: Record<string, number>;
  records: Record<string, number>;
  /** Failed source batches re-dispatched from the stream. */
  sourceBatches: number;
}

/**
 * Replays every target's DLQ and the dispatcher's failure queue with the operator's own code (lib/operate),
 * as `fanout replay <target> --wait --yes` and `fanout replay --source --yes` would.
 */
export async function replayEverything(
  pipeline: LocalPipeline,
  clients: { sqs: SQSClient; kinesis: KinesisClient; lambda: LambdaClient; dynamo: DynamoDBClient },
): Promise<ReplaySummary> {
  const handoff = awsHandoff(clients.lambda, clients.sqs);
  const summary: ReplaySummary = { messages: {}, records: {}, sourceBatches: 0 };
  const { config, names } = pipeline;
  for (const target of config.targets) {
    if (!target.enabled) continue;
    const report = await replayDlq(
      // Synchronous: the round ends when the workers did, and a hand-off that failed stays in the DLQ.
      // One at a time: after a dispatcher crash a DLQ can hold overlapping envelopes (a batch and its bisected
      // halves); replayed at once, the record claims would make all but one fail as busy until the next round.
      { config, names, target, dryRun: false, wait: true, concurrency: 1 },
      { sqs: clients.sqs, lambda: clients.lambda, kinesis: clients.kinesis, handoff },
    );
    summary.messages[target.name] = report.messages.replayed;
    summary.records[target.name] = report.records.replayed;
  }
  if ((await dlqMessages(clients.sqs, pipeline.stack.failureQueueUrl)) > 0) {
    const report = await replaySource(
      { config, names, dryRun: false },
      {
        sqs: clients.sqs,
        kinesis: clients.kinesis,
        handoff,
        ledger: new DynamoLedger({
          client: clients.dynamo,
          tableName: names.idempotencyTable(),
          ttlSeconds: config.idempotency.ttlSeconds,
        }),
      },
    );
    summary.sourceBatches = report.batches.redispatched;
  }
  return summary;
}
