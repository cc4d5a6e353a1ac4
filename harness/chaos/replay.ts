import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { s3ClaimCheckStore } from '../../lib/claim-check/s3.js';
import { awsHandoff } from '../../lib/handoff/aws.js';
import { DynamoLedger } from '../../lib/ledger/dynamo.js';
import type { LocalPipeline } from '../../lib/local/pipeline.js';
import { replayDlq } from '../../lib/operate/replay/replay.js';
import { replaySource } from '../../lib/operate/replay/source.js';
import { dlqMessages } from './audit.js';

export interface ReplaySummary {
  /** DLQ messages handed to their target again, per target. */
  messages: Record<string, number>;
  /**
   * Per target, why each DLQ message that failed again did (by message id): the DLQ message keeps the reason
   * of its first failure (an injected crash, say), the replay sees the one that stands.
   */
  failedAgain: Record<string, Map<string, string>>;
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
  clients: {
    sqs: SQSClient;
    kinesis: KinesisClient;
    lambda: LambdaClient;
    dynamo: DynamoDBClient;
    s3: S3Client;
  },
): Promise<ReplaySummary> {
  const handoff = awsHandoff(clients.lambda, clients.sqs);
  // With the claim check (on by default), a replay stores records too large for an envelope as the dispatcher does.
  const bucket = pipeline.stack.claimCheckBucket;
  const claimCheck = bucket ? { claimCheck: { store: s3ClaimCheckStore(clients.s3), bucket } } : {};
  const summary: ReplaySummary = { messages: {}, failedAgain: {}, records: {}, sourceBatches: 0 };
  const { config, names } = pipeline;
  for (const target of config.targets) {
    if (!target.enabled) continue;
    const failedAgain = new Map<string, string>();
    summary.failedAgain[target.name] = failedAgain;
    const report = await replayDlq(
      // Synchronous: the round ends when the workers did, and a hand-off that failed stays in the DLQ.
      // One at a time: after a dispatcher crash a DLQ can hold overlapping envelopes (a batch and its bisected
      // halves); replayed at once, their leases would make all but one fail as busy until the next round.
      {
        config,
        names,
        target,
        dryRun: false,
        wait: true,
        concurrency: 1,
        onMessage: (result) => {
          if (result.outcome === 'failed' && result.reason) failedAgain.set(result.messageId, result.reason);
        },
      },
      { sqs: clients.sqs, lambda: clients.lambda, kinesis: clients.kinesis, handoff, ...claimCheck },
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
        ...claimCheck,
      },
    );
    summary.sourceBatches = report.batches.redispatched;
  }
  return summary;
}
