import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  type BatchResultErrorEntry,
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { classifyError } from '../aws/retry.js';
import { HandoffError } from './errors.js';
import type { HandoffFailure, HandoffPort, QueueEntry } from './types.js';

/**
 * The hand-off port on the AWS SDK. Clients come from the caller (one per container, keep-alive sockets);
 * SDK errors become {@link HandoffError}s that say whether a retry can help.
 */
export function awsHandoff(lambda: LambdaClient, sqs: SQSClient): HandoffPort {
  const queueUrls = new Map<string, Promise<string>>();
  return {
    async invokeAsync(functionName, payload) {
      try {
        const out = await lambda.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'Event',
            // The dispatcher hands a Buffer over as is: no copy of a 1 MB envelope per call.
            Payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          }),
        );
        if (out.StatusCode !== undefined && out.StatusCode !== 202) {
          throw new HandoffError(`Invoke ${functionName} answered ${out.StatusCode}, expected 202`, true);
        }
      } catch (error) {
        if (error instanceof HandoffError) throw error;
        const { retryable, reason } = classifyError(error);
        throw new HandoffError(`Invoke ${functionName}: ${reason}`, retryable, {
          cause: error,
          code: errorCode(error),
        });
      }
    },

    async sendBatch(queueUrl: string, entries: readonly QueueEntry[]): Promise<HandoffFailure[]> {
      let out: SendMessageBatchCommandOutput;
      try {
        out = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: entries.map(toBatchEntry),
          }),
        );
      } catch (error) {
        const { retryable, reason } = classifyError(error);
        throw new HandoffError(`SendMessageBatch ${queueUrl}: ${reason}`, retryable, {
          cause: error,
          code: errorCode(error),
        });
      }
      return (out.Failed ?? []).map(toHandoffFailure);
    },

    queueUrl(queueName) {
      let url = queueUrls.get(queueName);
      if (!url) {
        url = (async () => {
          try {
            const out = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
            if (!out.QueueUrl) throw new HandoffError(`GetQueueUrl ${queueName} returned no URL`, true);
            return out.QueueUrl;
          } catch (error) {
            // Forget a failed lookup so the next attempt asks again.
            queueUrls.delete(queueName);
            if (error instanceof HandoffError) throw error;
            const { retryable, reason } = classifyError(error);
            throw new HandoffError(`GetQueueUrl ${queueName}: ${reason}`, retryable, {
              cause: error,
              code: errorCode(error),
            });
          }
        })();
        queueUrls.set(queueName, url);
      }
      return url;
    },
  };
}

function toBatchEntry(e: QueueEntry): SendMessageBatchRequestEntry {
  return {
    Id: e.id,
    MessageBody: e.body,
    ...(e.groupId === undefined ? {} : { MessageGroupId: e.groupId }),
    ...(e.deduplicationId === undefined ? {} : { MessageDeduplicationId: e.deduplicationId }),
  };
}

/** A per-entry failure of SendMessageBatch: a throttled or internal error can be retried; a sender fault cannot. */
function toHandoffFailure(f: BatchResultErrorEntry): HandoffFailure {
  return {
    id: f.Id ?? '',
    retryable: f.SenderFault !== true,
    reason: `${f.Code ?? 'Failed'}: ${f.Message ?? 'no message'}`,
    ...(f.Code ? { code: f.Code } : {}),
  };
}

/** The SDK's name of a service error (its code); undefined for anything that is not one. */
function errorCode(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== 'Error' ? name : undefined;
}
