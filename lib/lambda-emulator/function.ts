import { randomBytes, randomUUID } from 'node:crypto';
import { type AccountScope, functionArn } from './arn.js';
import { LATEST, RESPONSE_PAYLOAD_LIMIT } from './constants.js';
import type { ResolvedFunction } from './definitions.js';
import type { RuntimeEvents } from './events.js';
import type { RuntimeFaults } from './faults.js';
import type { ContainerSpec } from './host/container.js';
import { FunctionPool } from './host/pool.js';
import { emptyAsyncStats, type FunctionStats } from './stats.js';
import type { ContainerLogLine, InvocationSource, InvokeOutcome } from './types.js';

/** Host variables a container inherits so that Node and tools work; everything else is explicit. */
const PASSTHROUGH = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'SYSTEMROOT', 'NODE_EXTRA_CA_CERTS'];

export interface FunctionContext {
  scope: AccountScope;
  events: RuntimeEvents;
  cwd: string;
  unreservedLimit: number;
  idleTimeoutMs: number;
  initTimeoutMs: number;
  /** Variables every container gets (emulator endpoints, credentials, the runtime's own endpoint). */
  sharedEnv: () => Record<string, string>;
  /** Chaos hooks (harness/chaos); unset in normal runs. */
  faults?: () => RuntimeFaults | undefined;
  onLog?: (line: ContainerLogLine) => void;
}

/** A registered function: its definition, containers, concurrency and counters. */
export class LocalFunction {
  readonly definition: ResolvedFunction;
  readonly arn: string;
  readonly pool: FunctionPool;
  readonly counters: Omit<
    FunctionStats,
    | 'name'
    | 'reservedConcurrency'
    | 'concurrencyLimit'
    | 'containers'
    | 'inFlight'
    | 'coldStarts'
    | 'lastInitMs'
  >;
  readonly #context: FunctionContext;

  constructor(definition: ResolvedFunction, context: FunctionContext) {
    this.definition = definition;
    this.#context = context;
    this.arn = functionArn(context.scope, definition.name);
    this.counters = {
      invocations: 0,
      errors: 0,
      timeouts: 0,
      throttledRequests: 0,
      async: emptyAsyncStats(),
    };
    this.pool = new FunctionPool({
      reserved: definition.reservedConcurrency,
      unreservedLimit: context.unreservedLimit,
      idleTimeoutMs: context.idleTimeoutMs,
      spec: () => this.#spec(),
    });
  }

  get name(): string {
    return this.definition.name;
  }

  /**
   * Invokes synchronously. With `throttle`, a function at its reserved concurrency answers `undefined`
   * at once (429 on the API), as Lambda does; otherwise the caller waits for a slot, as an event source
   * mapping's poller does when it is throttled.
   */
  async invoke(
    payload: string,
    source: InvocationSource,
    options: { throttle?: boolean } = {},
  ): Promise<InvokeOutcome | undefined> {
    if (options.throttle && this.pool.reserved !== undefined) {
      if (!this.pool.tryAcquire()) {
        this.counters.throttledRequests++;
        return undefined;
      }
    } else {
      await this.pool.acquire();
    }
    try {
      return await this.runHeld(payload, source);
    } finally {
      this.pool.release();
    }
  }

  /** Runs one invocation; the caller already holds a concurrency slot. */
  async runHeld(
    payload: string,
    source: InvocationSource,
    requestId: string = randomUUID(),
  ): Promise<InvokeOutcome> {
    const started = performance.now();
    const injected = this.#context.faults?.()?.beforeInvoke?.(this.name, source);
    const result = injected
      ? { ok: false as const, error: injected, coldStart: false }
      : await this.pool.run(requestId, payload);
    const durationMs = performance.now() - started;
    let outcome: InvokeOutcome = result.ok
      ? { ok: true, requestId, payload: result.payload, coldStart: result.coldStart, durationMs }
      : { ok: false, requestId, error: result.error, coldStart: result.coldStart, durationMs };
    if (outcome.ok && Buffer.byteLength(outcome.payload) > RESPONSE_PAYLOAD_LIMIT) {
      outcome = {
        ...outcome,
        ok: false,
        error: {
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: `Response payload size exceeded maximum allowed payload size (${RESPONSE_PAYLOAD_LIMIT} bytes).`,
        },
      };
    }
    this.counters.invocations++;
    if (!outcome.ok) {
      this.counters.errors++;
      if (outcome.error.errorType === 'Sandbox.Timedout') this.counters.timeouts++;
    }
    this.#context.events.emit('invocation', {
      functionName: this.name,
      requestId,
      source,
      coldStart: outcome.coldStart,
      durationMs,
      ...(outcome.ok ? {} : { error: outcome.error }),
    });
    return outcome;
  }

  stats(): FunctionStats {
    return {
      name: this.name,
      reservedConcurrency: this.pool.reserved ?? null,
      concurrencyLimit: this.pool.limit,
      containers: this.pool.containers,
      inFlight: this.pool.inFlight,
      coldStarts: this.pool.coldStarts,
      lastInitMs: this.pool.lastInitMs ?? null,
      ...this.counters,
      async: { ...this.counters.async },
    };
  }

  #spec(): ContainerSpec {
    const { definition: fn, arn } = this;
    const { scope } = this.#context;
    const host: Record<string, string> = {};
    for (const key of PASSTHROUGH) {
      const value = process.env[key];
      if (value !== undefined) host[key] = value;
    }
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    return {
      functionName: fn.name,
      functionArn: arn,
      handler: fn.handler,
      memoryMb: fn.memoryMb,
      timeoutSeconds: fn.timeoutSeconds,
      initTimeoutMs: this.#context.initTimeoutMs,
      cwd: this.#context.cwd,
      env: {
        ...host,
        ...this.#context.sharedEnv(),
        ...fn.env,
        // Lambda's reserved variables: a function cannot override them.
        AWS_REGION: scope.region,
        AWS_DEFAULT_REGION: scope.region,
        AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: LATEST,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
        AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[${LATEST}]${randomBytes(16).toString('hex')}`,
        LAMBDA_TASK_ROOT: this.#context.cwd,
        TZ: 'UTC',
      },
      ...(this.#context.onLog ? { onLog: this.#context.onLog } : {}),
    };
  }
}
