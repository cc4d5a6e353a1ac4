import { EventEmitter } from 'node:events';
import type { AsyncFailureCondition, StreamFailureCondition } from './constants.js';
import type { ContainerLogLine, FunctionErrorPayload, InvocationSource } from './types.js';

/** One finished invocation. */
export interface InvocationEvent {
  functionName: string;
  requestId: string;
  source: InvocationSource;
  coldStart: boolean;
  durationMs: number;
  /** Set when the invocation was a function error. */
  error?: FunctionErrorPayload;
}

/** A batch an event source mapping delivered, and how it ended. */
export interface MappingBatchEvent {
  mapping: string;
  functionName: string;
  records: number;
  outcome: 'success' | 'partial' | 'failure';
}

/** Something the runtime could not do (a poll failed, a destination refused a record); it keeps going. */
export interface RuntimeProblem {
  where: string;
  error: unknown;
}

/** Events of {@link RuntimeEvents}, for live views and tests. */
export interface RuntimeEventMap {
  invocation: [InvocationEvent];
  /** An async event found no free concurrency and waits (Lambda throttles and requeues it internally). */
  throttle: [{ functionName: string; requestId: string }];
  'async-retry': [{ functionName: string; requestId: string; attempt: number; delayMs: number }];
  'async-failure': [{ functionName: string; requestId: string; condition: AsyncFailureCondition }];
  'mapping-batch': [MappingBatchEvent];
  'mapping-failure': [
    { mapping: string; functionName: string; records: number; condition: StreamFailureCondition },
  ];
  log: [ContainerLogLine];
  problem: [RuntimeProblem];
}

/** Typed emitter of the runtime's events (never emits `error`, so an unheard problem cannot throw). */
export class RuntimeEvents extends EventEmitter<RuntimeEventMap> {}
