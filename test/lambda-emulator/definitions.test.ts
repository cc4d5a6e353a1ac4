import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config/errors.js';
import {
  resolveFunction,
  resolveKinesisMapping,
  resolveSqsMapping,
} from '../../lib/lambda-emulator/definitions.js';

const fn = {
  name: 'worker',
  handler: { file: 'functions/worker.ts', export: 'handler' },
  timeoutSeconds: 30,
  memoryMb: 512,
};

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('no ConfigError');
}

describe('definitions', () => {
  it("applies Lambda's async defaults: 2 retries, 6 hours", () => {
    expect(resolveFunction(fn).async).toEqual({ maxRetryAttempts: 2, maxEventAgeSeconds: 21_600 });
  });

  it('names the field, the value and the range of a bad setting', () => {
    expect(problem(() => resolveFunction({ ...fn, async: { maxRetryAttempts: 3 } }))).toContain(
      'async.maxRetryAttempts: 3 is out of range: must be <= 2',
    );
    expect(problem(() => resolveFunction({ ...fn, timeoutSeconds: 901 }))).toContain('timeoutSeconds');
  });

  it('accepts the queue URLs the SQS emulator returns', () => {
    const queueUrl = 'http://sqs.us-east-1.127.0.0.1:40081/000000000000/orders';
    expect(resolveSqsMapping({ functionName: 'worker', queueUrl }).queueUrl).toBe(queueUrl);
  });

  it('applies the stream mapping defaults and refuses a stream ARN (kinesalite needs the name)', () => {
    expect(resolveKinesisMapping({ functionName: 'd', streamName: 'input' })).toMatchObject({
      batchSize: 100,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      parallelizationFactor: 1,
      startingPosition: 'LATEST',
    });
    expect(
      problem(() =>
        resolveKinesisMapping({ functionName: 'd', streamName: 'arn:aws:kinesis:us-east-1:1:stream/x' }),
      ),
    ).toContain('streamName');
  });

  it('requires a batching window for SQS batches over 10', () => {
    const queueUrl = 'http://localhost:1/000000000000/q';
    expect(problem(() => resolveSqsMapping({ functionName: 'w', queueUrl, batchSize: 50 }))).toContain(
      'maximumBatchingWindowInSeconds',
    );
  });
});
