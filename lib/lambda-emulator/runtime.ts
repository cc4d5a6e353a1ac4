import { AsyncEventQueue } from './async/event-queue.js';
import {
  type KinesisMappingDefinition,
  resolveFunction,
  resolveKinesisMapping,
  resolveSqsMapping,
  type SqsMappingDefinition,
} from './definitions.js';
import { type FailureSink, sqsFailureSink } from './destinations/sqs-sink.js';
import { FunctionNotFoundError, LocalRuntimeError } from './errors.js';
import { RuntimeEvents } from './events.js';
import type { RuntimeFaults } from './faults.js';
import { LocalFunction } from './function.js';
import { useContainerMain } from './host/container.js';
import { type ApiFunction, lambdaBackend } from './invoke/backend.js';
import { type LambdaApiServer, startLambdaApi } from './invoke/server.js';
import { KinesisMapping } from './kinesis/mapping.js';
import { type LocalLambdaRuntimeOptions, type RuntimeSettings, runtimeSettings } from './options.js';
import { SqsMapping, type SqsMappingDeps } from './sqs/mapping.js';
import { type RuntimeResumeReport, RuntimeState, type RuntimeStopReport } from './state.js';
import type { RuntimeStats } from './stats.js';
import type { FunctionDefinition, InvokeOutcome } from './types.js';

type Registered = ApiFunction;
/** What every event source mapping gets from the runtime. */
type MappingDeps = Pick<SqsMappingDeps, 'fn' | 'clock' | 'events' | 'scope'>;

export type { RuntimeResumeReport, RuntimeStopReport } from './state.js';

/**
 * Lambda on one machine: handlers in their own processes with Lambda's timeout, memory and concurrency,
 * the Invoke API over HTTP, async invocation retries and destinations, and Kinesis and SQS event source
 * mappings against local emulators.
 *
 * @example
 * const runtime = new LocalLambdaRuntime({ sqs, kinesis, env: emulators.env, timeScale: 0.01 });
 * runtime.register({ name: 'worker', handler: { file: 'functions/worker.ts', export: 'handler' },
 *   timeoutSeconds: 30, memoryMb: 512, reservedConcurrency: 5, async: { maxRetryAttempts: 2, onFailureQueueUrl } });
 * runtime.addKinesisMapping({ functionName: 'dispatcher', streamName: 'input', reportBatchItemFailures: true });
 * const endpoint = await runtime.start(); // AWS_ENDPOINT_URL_LAMBDA
 * // ...
 * await runtime.stop(); // kills every container
 */
export class LocalLambdaRuntime {
  readonly events = new RuntimeEvents();
  readonly #settings: RuntimeSettings;
  readonly #functions = new Map<string, Registered>();
  readonly #mappings: Array<KinesisMapping | SqsMapping> = [];
  #server: LambdaApiServer | undefined;
  #faults: RuntimeFaults | undefined;
  #phase: 'new' | 'running' | 'stopped' = 'new';
  readonly #state: RuntimeState;
  readonly #releaseContainerMain = useContainerMain();

  constructor(options: LocalLambdaRuntimeOptions = {}) {
    this.#settings = runtimeSettings(options);
    this.#state = new RuntimeState(this.#settings.stateDir);
  }

  /** What the last start took back from the state folder. */
  get resumed(): RuntimeResumeReport {
    return this.#state.resumed;
  }

  /** The Lambda API endpoint once started. */
  get endpoint(): string | undefined {
    return this.#server?.url;
  }

  /** Registers a function; throws `ConfigError` for values Lambda would refuse. */
  register(definition: FunctionDefinition): void {
    const resolved = resolveFunction(definition);
    if (this.#functions.has(resolved.name))
      throw new LocalRuntimeError(`function "${resolved.name}" is already registered`);
    const settings = this.#settings;
    if (resolved.async.onFailureQueueUrl && !settings.sqs) {
      throw new LocalRuntimeError(
        `function "${resolved.name}" has an on-failure queue but the runtime has no sqs client`,
      );
    }
    const fn = new LocalFunction(resolved, {
      scope: settings.scope,
      events: this.events,
      cwd: settings.cwd,
      unreservedLimit: settings.unreservedConcurrency,
      idleTimeoutMs: settings.idleTimeoutMs,
      initTimeoutMs: settings.initTimeoutMs,
      sharedEnv: () => ({
        ...settings.env,
        ...(this.endpoint ? { AWS_ENDPOINT_URL_LAMBDA: this.endpoint } : {}),
      }),
      faults: () => this.#faults,
      onLog: (line) => {
        settings.onLog?.(line);
        this.events.emit('log', line);
      },
    });
    const queue = new AsyncEventQueue(fn, {
      clock: settings.clock,
      timeScale: settings.timeScale,
      events: this.events,
      ...this.#sink(),
    });
    this.#functions.set(resolved.name, { fn, queue });
  }

  /** Adds a Kinesis event source mapping (before `start()`); returns its id. */
  addKinesisMapping(definition: KinesisMappingDefinition): string {
    const config = resolveKinesisMapping(definition);
    const { kinesis, timeScale } = this.#settings;
    if (!kinesis)
      throw new LocalRuntimeError('a Kinesis mapping needs the runtime option "kinesis" (a KinesisClient)');
    const checkpoints = this.#state.checkpoints;
    return this.#addMapping(
      'addKinesisMapping',
      `kinesis:${config.streamName}`,
      config.functionName,
      (id, deps) =>
        new KinesisMapping(id, config, { ...deps, kinesis, timeScale, checkpoints, ...this.#sink() }),
    );
  }

  /** Adds an SQS event source mapping (before `start()`); returns its id. */
  addSqsMapping(definition: SqsMappingDefinition): string {
    const config = resolveSqsMapping(definition);
    const { sqs } = this.#settings;
    if (!sqs) throw new LocalRuntimeError('an SQS mapping needs the runtime option "sqs" (an SQSClient)');
    const source = `sqs:${config.queueUrl.split('/').at(-1)}`;
    return this.#addMapping(
      'addSqsMapping',
      source,
      config.functionName,
      (id, deps) => new SqsMapping(id, config, { ...deps, sqs }),
    );
  }

  /** Starts the Lambda API and the mappings; resolves with the endpoint (for `AWS_ENDPOINT_URL_LAMBDA`). */
  async start(): Promise<string> {
    this.#beforeStart('start');
    this.#phase = 'running';
    const { scope, asyncPayloadLimit, host, port } = this.#settings;
    const backend = lambdaBackend({
      scope,
      asyncPayloadLimit,
      find: (name) => this.#functions.get(name),
      setReservedConcurrency: (name, reserved) => this.setReservedConcurrency(name, reserved),
      mappings: (functionName) => this.mappingConfigurations(functionName),
      setMappingMaximumConcurrency: (id, maximum) => this.setMappingMaximumConcurrency(id, maximum),
      stats: () => this.stats(),
    });
    this.#server = await startLambdaApi(backend, {
      ...(host ? { host } : {}),
      ...(port ? { port } : {}),
      onProblem: (error) => this.events.emit('problem', { where: 'Lambda API', error }),
      faults: () => this.#faults,
    });
    try {
      this.#state.restore(this.#queues());
      await Promise.all(this.#mappings.map((mapping) => mapping.start()));
    } catch (error) {
      await this.stop();
      throw error;
    }
    return this.#server.url;
  }

  /**
   * Stops mappings, queues and the API, and kills every container process. With a state folder, the mappings'
   * checkpoints and the async invocations not finished are saved there; the report counts the latter.
   */
  async stop(): Promise<RuntimeStopReport> {
    if (this.#phase === 'stopped') return { unfinishedAsync: {}, kept: Boolean(this.#settings.stateDir) };
    const started = this.#phase === 'running';
    this.#phase = 'stopped';
    const draining = [
      ...this.#mappings.map((mapping) => mapping.stop()),
      ...[...this.#functions.values()].map(({ queue }) => queue.stop()),
    ];
    await Promise.all([...this.#functions.values()].map(({ fn }) => fn.pool.stop()));
    await Promise.allSettled(draining);
    await this.#server?.close();
    this.#releaseContainerMain();
    return this.#state.save(this.#queues(), started);
  }

  /** Invokes synchronously, as `Invoke` with `RequestResponse` does, but waits instead of being throttled. */
  async invoke(name: string, event: unknown): Promise<InvokeOutcome> {
    const outcome = await this.#get(name).fn.invoke(JSON.stringify(event ?? {}), 'api');
    if (!outcome) throw new LocalRuntimeError('unreachable: an invocation that waits is never throttled');
    return outcome;
  }

  /** Queues an event, as `Invoke` with `Event` does; returns its request id. */
  invokeAsync(name: string, event: unknown): string {
    return this.#get(name).queue.enqueue(JSON.stringify(event ?? {}));
  }

  /** Sets (or, with `undefined`, clears) the chaos hooks of harness/chaos; off by default. */
  setFaults(faults: RuntimeFaults | undefined): void {
    this.#faults = faults;
  }

  /** Kills every container of a function as a crash would (chaos runs); returns how many were killed. */
  crash(name: string): Promise<number> {
    return this.#get(name).fn.pool.crash();
  }

  /** PutFunctionConcurrency (a number) or DeleteFunctionConcurrency (`undefined`), live. */
  setReservedConcurrency(name: string, reserved: number | undefined): void {
    const { fn, queue } = this.#get(name);
    fn.pool.setReserved(reserved);
    queue.concurrencyChanged();
  }

  /** ListEventSourceMappings: the mappings (of `functionName`, or all) as Lambda describes them. */
  mappingConfigurations(functionName?: string): Array<Record<string, unknown>> {
    return this.#mappings
      .filter((m) => !functionName || m.stats().functionName === functionName)
      .map((m) => m.configuration());
  }

  /** UpdateEventSourceMapping with ScalingConfig.MaximumConcurrency (SQS mappings only), live. */
  setMappingMaximumConcurrency(id: string, maximum: number): Record<string, unknown> {
    const mapping = this.#mappings.find((m) => m.id === id);
    if (!mapping) throw new LocalRuntimeError(`event source mapping "${id}" does not exist`);
    if (!(mapping instanceof SqsMapping)) {
      throw new LocalRuntimeError(
        `ScalingConfig applies to SQS event source mappings; "${id}" reads a stream`,
      );
    }
    mapping.setMaximumConcurrency(maximum);
    return mapping.configuration();
  }

  /** Resolves when the async queues (of `name`, or of every function) have nothing left to do. */
  async idle(name?: string): Promise<void> {
    const targets = name ? [this.#get(name)] : [...this.#functions.values()];
    await Promise.all(targets.map(({ queue }) => queue.idle()));
  }

  stats(): RuntimeStats {
    return {
      endpoint: this.endpoint ?? null,
      functions: [...this.#functions.values()].map(({ fn, queue }) => {
        const stats = fn.stats();
        return { ...stats, async: { ...stats.async, queued: queue.queued } };
      }),
      mappings: this.#mappings.map((mapping) => mapping.stats()),
    };
  }

  #queues(): Map<string, AsyncEventQueue> {
    return new Map([...this.#functions].map(([name, { queue }]) => [name, queue]));
  }

  #get(name: string): Registered {
    const registered = this.#functions.get(name);
    if (!registered) throw new FunctionNotFoundError(name);
    return registered;
  }

  /** Adds a mapping of `source` to a registered function, before start; its id: `<source>-><function>#<n>`. */
  #addMapping(
    method: string,
    source: string,
    functionName: string,
    create: (id: string, deps: MappingDeps) => KinesisMapping | SqsMapping,
  ): string {
    const id = `${source}->${functionName}#${this.#mappings.length + 1}`;
    this.#beforeStart(method);
    const { clock, scope } = this.#settings;
    this.#mappings.push(create(id, { fn: this.#get(functionName).fn, clock, events: this.events, scope }));
    return id;
  }

  #sink(): { sink?: FailureSink } {
    return this.#settings.sqs ? { sink: sqsFailureSink(this.#settings.sqs) } : {};
  }

  #beforeStart(what: string): void {
    if (this.#phase !== 'new')
      throw new LocalRuntimeError(`${what} must come before start() (the runtime is ${this.#phase})`);
  }
}
