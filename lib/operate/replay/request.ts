/** What both replays take: a target's DLQ (`replayDlq`) and the dispatcher's failure queue (`replaySource`). */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ClaimCheckStore } from '../../claim-check/types.js';
import type { Naming } from '../../config/naming.js';
import type { FanoutConfig } from '../../config/schema.js';
import type { HandoffPort } from '../../handoff/types.js';

/** The pipeline a replay reads and hands off in, and how much of the queue it takes. */
export interface QueueReplayRequest {
  config: FanoutConfig;
  names: Naming;
  /** Classify and count only: nothing is handed off, deleted or moved. */
  dryRun: boolean;
  /** Take at most this many messages (a DLQ replay: of those that pass the selection). */
  max?: number;
  /**
   * Seconds a received message stays hidden: what Ctrl-C leaves in place reappears then. Default: a DLQ 60 s
   * (with `wait`, long enough for the worker to finish), the failure queue 120 s.
   */
  visibilityTimeoutSeconds?: number;
  /** Ctrl-C: stop taking messages, finish what is in hand, delete nothing else. */
  signal?: AbortSignal;
}

/** The clients and stores a replay hands off with. */
export interface QueueReplayDeps {
  sqs: SQSClient;
  kinesis: KinesisClient;
  handoff: HandoffPort;
  /**
   * The claim check's store and bucket (required with `claimCheck`, the default), as the dispatcher has them:
   * a record too large for an envelope is stored there and handed off as a pointer.
   */
  claimCheck?: { store: ClaimCheckStore; bucket: string };
  now?: () => number;
}
