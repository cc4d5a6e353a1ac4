/** Public shapes of the local Lambda runtime: what a caller registers and what a handler returns. */

/** A handler module: a `.ts` (or `.js`) file and the name of the function it exports. */
export interface HandlerRef {
  /** Absolute path, or relative to the runtime's `cwd`. */
  file: string;
  /** Exported function, e.g. `handler`. */
  export: string;
}

/** Lambda's EventInvokeConfig: what happens to an `Event` invocation that fails. */
export interface AsyncInvokeConfig {
  /** Retries after a function error, 0-2 (default 2). */
  maxRetryAttempts: number;
  /** Seconds an event may wait in the internal queue, 60-21600 (default 21600), before time scaling. */
  maxEventAgeSeconds: number;
  /** SQS queue URL (exactly as the SQS emulator returned it) that receives Lambda's invocation record. */
  onFailureQueueUrl?: string;
}

/** A function the runtime can invoke. */
export interface FunctionDefinition {
  name: string;
  handler: HandlerRef;
  /** The function's own environment variables (Lambda's `Environment.Variables`). */
  env?: Record<string, string>;
  /** Lambda timeout, 1-900 seconds; the container is killed when it runs out. */
  timeoutSeconds: number;
  /** Lambda memory, 128-10240 MB; caps the container's V8 heap (`--max-old-space-size`). */
  memoryMb: number;
  /** Reserved concurrency: containers at most; 0 stops every invocation. Unset: the runtime's local cap. */
  reservedConcurrency?: number;
  async?: Partial<AsyncInvokeConfig>;
}

/** The error object Lambda's Node.js runtime reports for a failed invocation. */
export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** What one invocation produced, as a caller of `Invoke` (or an event source mapping) sees it. */
export type InvokeOutcome =
  | {
      ok: true;
      requestId: string;
      /** The handler's return value as JSON (`null` when it returned nothing). */
      payload: string;
      coldStart: boolean;
      durationMs: number;
    }
  | {
      ok: false;
      requestId: string;
      error: FunctionErrorPayload;
      coldStart: boolean;
      durationMs: number;
    };

/** Who asked for an invocation; shown in events and stats. */
export type InvocationSource = 'api' | 'async' | 'kinesis' | 'sqs';

/** One line a container wrote to stdout or stderr. */
export interface ContainerLogLine {
  functionName: string;
  containerId: string;
  stream: 'stdout' | 'stderr';
  line: string;
}
