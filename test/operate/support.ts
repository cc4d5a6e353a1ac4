import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { s3ClaimCheckStore } from '../../lib/claim-check/s3.js';
import { awsHandoff } from '../../lib/handoff/aws.js';
import type { LocalPipeline } from '../../lib/local/pipeline.js';
import { QueueReader, queueDepth } from '../../lib/operate/queue.js';
import type { ReplayDeps } from '../../lib/operate/replay/replay.js';

/** The replay's dependencies on a local pipeline's clients. */
export function replayDeps(pipeline: LocalPipeline): ReplayDeps {
  const sqs = pipeline.clients.get(SQSClient);
  const lambda = pipeline.clients.get(LambdaClient);
  const bucket = pipeline.stack.claimCheckBucket;
  return {
    sqs,
    lambda,
    kinesis: pipeline.clients.get(KinesisClient),
    handoff: awsHandoff(lambda, sqs),
    ...(bucket ? { claimCheck: { store: s3ClaimCheckStore(pipeline.clients.get(S3Client)), bucket } } : {}),
  };
}

/** Messages in a queue: waiting plus received by someone. */
export async function depthOf(pipeline: LocalPipeline, url: string): Promise<number> {
  const depth = await queueDepth(pipeline.clients.get(SQSClient), url);
  return depth.visible + depth.inFlight;
}

/** Every body in a queue, left in place (received once, then made visible again). */
export async function peekBodies(pipeline: LocalPipeline, url: string): Promise<string[]> {
  const reader = new QueueReader(pipeline.clients.get(SQSClient), url, { visibilityTimeoutSeconds: 30 });
  const seen: Array<{ id: string; body: string }> = [];
  while (!reader.exhausted) {
    for (const m of await reader.receive(10)) seen.push({ id: m.messageId, body: m.body });
  }
  await reader.release(seen.map((m) => m.id));
  return seen.map((m) => m.body);
}

/** Puts messages into a queue as they are. */
export async function putMessages(
  pipeline: LocalPipeline,
  url: string,
  bodies: readonly string[],
): Promise<void> {
  const sqs = pipeline.clients.get(SQSClient);
  for (const body of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
}
