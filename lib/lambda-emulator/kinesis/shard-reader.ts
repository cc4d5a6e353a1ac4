import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { Clock } from '../clock.js';
import { fromKinesisRecord, type StreamRecord } from './event.js';

export interface ShardReaderDeps {
  kinesis: KinesisClient;
  streamName: string;
  shardId: string;
  startingPosition: 'LATEST' | 'TRIM_HORIZON' | 'AT_TIMESTAMP';
  /** Epoch seconds, for AT_TIMESTAMP. */
  startingPositionTimestamp?: number;
  pollIntervalMs: number;
  clock: Clock;
  signal: AbortSignal;
  deliver: (records: StreamRecord[]) => void;
  /** Records read and not yet delivered to the function; reading pauses above `maxBacklog`. */
  backlog: () => number;
  maxBacklog: number;
  onRead?: (records: number, millisBehindLatest: number) => void;
  onProblem: (error: unknown) => void;
}

/**
 * Reads one shard with GetShardIterator / GetRecords (passing StreamName: kinesalite refuses StreamARN),
 * one GetRecords every `pollIntervalMs` (from one call's start to the next), busy or idle.
 * An expired iterator resumes after the last record read (`after` before the first). Ends when the shard is
 * closed and read to its end.
 */
export async function readShard(
  deps: ShardReaderDeps,
  firstIterator?: string,
  after?: string,
): Promise<void> {
  const { kinesis, clock, signal } = deps;
  let lastSequence = after;
  let iterator = firstIterator;
  let failures = 0;
  while (!signal.aborted) {
    try {
      iterator ??= await resumeIterator(deps, lastSequence);
      if (deps.backlog() >= deps.maxBacklog) {
        await clock.sleep(deps.pollIntervalMs, signal);
        continue;
      }
      const calledAt = clock.now();
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }), {
        abortSignal: signal,
      });
      failures = 0;
      const records = (out.Records ?? []).map(fromKinesisRecord);
      if (records.length > 0) {
        lastSequence = records.at(-1)?.sequenceNumber;
        deps.deliver(records);
      }
      deps.onRead?.(records.length, out.MillisBehindLatest ?? 0);
      if (!out.NextShardIterator) return;
      iterator = out.NextShardIterator;
      // One call per interval, whether the shard is busy or idle: Kinesis serves 5 GetRecords a second per shard,
      // and a busy shard read every few milliseconds costs the emulator and this process a call for a handful of
      // records each time. Whatever arrived meanwhile comes in the next call (up to 10,000 records).
      const wait = calledAt + deps.pollIntervalMs - clock.now();
      if (wait > 0) await clock.sleep(wait, signal);
    } catch (error) {
      if (signal.aborted) return;
      if ((error as Error).name === 'ExpiredIteratorException') {
        iterator = undefined;
        continue;
      }
      deps.onProblem(error);
      failures++;
      await clock.sleep(Math.min(5_000, deps.pollIntervalMs * 2 ** failures), signal);
    }
  }
}

/**
 * The iterator just after `after`, else at the starting position. A sequence number the stream does not know
 * (a stream created again, empty, by an emulator that kept nothing) starts at its oldest record: all of them
 * are new.
 */
export async function resumeIterator(deps: ShardReaderDeps, after: string | undefined): Promise<string> {
  if (!after) return shardIterator(deps);
  try {
    return await shardIterator(deps, after);
  } catch (error) {
    if ((error as Error).name !== 'InvalidArgumentException') throw error;
    deps.onProblem(
      new Error(
        `${deps.streamName}/${deps.shardId} does not know sequence number ${after} (the stream was created again): reading it from its oldest record`,
        { cause: error },
      ),
    );
    return shardIterator({ ...deps, startingPosition: 'TRIM_HORIZON' });
  }
}

/** The iterator at the starting position, or just after `after`. */
export async function shardIterator(deps: ShardReaderDeps, after?: string): Promise<string> {
  const input: GetShardIteratorCommandInput = {
    StreamName: deps.streamName,
    ShardId: deps.shardId,
    ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : deps.startingPosition,
  };
  if (after) input.StartingSequenceNumber = after;
  else if (deps.startingPosition === 'AT_TIMESTAMP') {
    input.Timestamp = new Date((deps.startingPositionTimestamp ?? Date.now() / 1000) * 1000);
  }
  const out = await deps.kinesis.send(new GetShardIteratorCommand(input), { abortSignal: deps.signal });
  if (!out.ShardIterator) throw new Error(`no shard iterator for ${deps.streamName}/${deps.shardId}`);
  return out.ShardIterator;
}
