/** What the stub AWS endpoint reports about the calls it answered (shared by the server and its callers). */

/** Calls to one resource (function, queue or stream) and the bytes of their request bodies. */
export interface ResourceStats {
  calls: number;
  /** SQS messages (SendMessageBatch entries) or 1 per Invoke / PutRecord. */
  messages: number;
  bytes: number;
}

export interface StubStats {
  /** Keyed `<operation> <resource>`, e.g. `Invoke fanout-bench-t1-worker`. */
  resources: Record<string, ResourceStats>;
  /** Content type and target header of the first request of each operation: which wire protocol the SDK used. */
  protocols: Record<string, string>;
  /** Requests the stub did not recognise (a wrong protocol guess shows up here, not as a silent success). */
  unknown: number;
  delayMs: number;
}

/** Control paths: not AWS APIs, so they cannot collide with one. */
export const CONTROL = {
  stats: '/__bench/stats',
  reset: '/__bench/reset',
  delay: '/__bench/delay',
} as const;

/** Account id in the queue URLs the stub hands out. */
export const STUB_ACCOUNT = '000000000000';
