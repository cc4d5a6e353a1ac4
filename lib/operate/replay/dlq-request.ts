/** What a DLQ replay (`replayDlq`, run by `DlqReplayRun`) takes, over what both replays take (request.ts). */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { TargetConfig } from '../../config/schema.js';
import type { Selection } from './classify.js';
import type { MessageResult } from './report.js';
import type { QueueReplayDeps, QueueReplayRequest } from './request.js';

export interface ReplayRequest extends QueueReplayRequest, Selection {
  target: TargetConfig;
  /** Invoke the worker synchronously and report delivered / skipped (see `replayHandoff`). */
  wait: boolean;
  /** Hand-offs per second at most. */
  ratePerSecond?: number;
  /** Move unparseable messages to this queue (name or URL) instead of leaving them in place. */
  quarantine?: string;
  /** Hand-offs in flight at once (default 4). */
  concurrency?: number;
  /** Called once the DLQ is found, with its approximate depth (for a progress bar). */
  onStart?: (info: { dlq: string; depth: number }) => void;
  onMessage?: (result: MessageResult) => void;
}

export interface ReplayDeps extends QueueReplayDeps {
  lambda: LambdaClient;
  sleep?: (ms: number) => Promise<void>;
}
