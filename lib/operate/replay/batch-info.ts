/**
 * Lambda's on-failure record of a Kinesis event source mapping: metadata of the batch it gave up on, never its
 * records (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html).
 */
export interface KinesisBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord?: string;
  approximateArrivalOfLastRecord?: string;
  batchSize?: number;
  streamArn: string;
}

/** The `KinesisBatchInfo` of a failure-queue message, or why there is none. Pure: never throws. */
export function parseBatchInfo(body: string): KinesisBatchInfo | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return `body is not JSON (${body.length} characters)`;
  }
  const info = (value as { KinesisBatchInfo?: Record<string, unknown> } | null)?.KinesisBatchInfo;
  if (typeof info !== 'object' || info === null)
    return 'no KinesisBatchInfo: not a Kinesis on-failure record';
  const { shardId, startSequenceNumber, endSequenceNumber, streamArn } = info;
  const seq = (v: unknown): v is string => typeof v === 'string' && /^\d+$/.test(v);
  if (typeof shardId !== 'string' || !seq(startSequenceNumber) || !seq(endSequenceNumber)) {
    return 'KinesisBatchInfo without shardId, startSequenceNumber and endSequenceNumber';
  }
  if (typeof streamArn !== 'string' || streamArn.length === 0) return 'KinesisBatchInfo without streamArn';
  return info as unknown as KinesisBatchInfo;
}

/**
 * The target of a failure record the dispatcher wrote for a record whose hand-off and DLQ notice were refused
 * (`fanoutRefusal`, lib/dispatch/dead-letter.ts): only that target needs the record again. Undefined for
 * Lambda's own records, whose batch every target may need.
 */
export function refusalTargetOf(body: string): string | undefined {
  try {
    const target = (JSON.parse(body) as { fanoutRefusal?: { target?: unknown } } | null)?.fanoutRefusal
      ?.target;
    return typeof target === 'string' ? target : undefined;
  } catch {
    return undefined;
  }
}
