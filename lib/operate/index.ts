export {
  type ConcurrencyEdit,
  checkConcurrency,
  concurrencyRange,
  lineDiff,
  setTargetConcurrency,
} from './concurrency/config-edit.js';
export {
  applyLiveConcurrency,
  type LiveConcurrency,
  readLiveConcurrency,
  targetMapping,
} from './concurrency/live.js';
export { InvalidSettingError, LiveSettingError, UnknownTargetError } from './errors.js';
export { parseDuration, parseFilter, parseRate } from './parse.js';
export { QueueReader, queueDepth, queueUrlOf, type ReceivedMessage } from './queue.js';
export { type RateLimiter, rateLimiter } from './rate.js';
export { type KinesisBatchInfo, parseBatchInfo } from './replay/batch-info.js';
export {
  classifyDlqMessage,
  type DlqEntry,
  type DlqMessage,
  isSelected,
  type Selection,
} from './replay/classify.js';
export { type ReplayHandoff, type ReplayHandoffResult, replayHandoff } from './replay/handoff.js';
export { type NoticeResolution, resolveNotice } from './replay/notice.js';
export { renderReplayReport, renderSourceReport } from './replay/render.js';
export { type ReplayDeps, type ReplayRequest, replayDlq } from './replay/replay.js';
export { MESSAGE_OUTCOMES, type MessageOutcome, type ReplayReport } from './replay/report.js';
export { replaySource, type SourceReplayDeps, type SourceReplayRequest } from './replay/source.js';
export { BATCH_OUTCOMES, type BatchOutcome, type SourceReplayReport } from './replay/source-report.js';
export { type AwsStatusDeps, collectAwsStatus } from './status/aws.js';
export { renderAwsStatus } from './status/render.js';
export type { AwsPipelineStatus, AwsSourceStatus, AwsTargetStatus } from './status/types.js';
export { type MissingRange, readSequenceRange, type SequenceRange, toLambdaRecord } from './stream.js';
export { findTarget } from './target.js';
