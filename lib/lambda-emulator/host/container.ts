import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { ContainerLogLine, FunctionErrorPayload, HandlerRef } from '../types.js';
import { type ContainerMessage, exitError, type InvokeRequestMessage, timeoutError } from './protocol.js';

const MAIN = fileURLToPath(new URL('./container-main.ts', import.meta.url));

let compiledMain: string | undefined;
let users = 0;

/** Removes the compiled entry point's folder (the last runtime stopped, or this process exits). */
function removeCompiledMain(): void {
  if (compiledMain) rmSync(dirname(compiledMain), { recursive: true, force: true });
  compiledMain = undefined;
}
process.once('exit', removeCompiledMain);

/**
 * Declares a user of the compiled entry point (a runtime, from construction to stop); the returned function
 * ends the use, and the last one removes its folder from the temporary directory.
 */
export function useContainerMain(): () => void {
  users++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--users === 0) removeCompiledMain();
  };
}

/**
 * The container entry point compiled to plain JavaScript, for handlers that are already JavaScript (the
 * esbuild bundles local mode runs): without tsx's loader in the way, a 3 MB bundle imports in ~0.6 s instead of
 * ~3 s, as on Lambda. TypeScript handlers (test fixtures) still start under `--import tsx`.
 */
function plainMain(): string {
  if (!compiledMain) {
    const out = join(mkdtempSync(join(tmpdir(), 'fanout-container-')), 'container-main.mjs');
    buildSync({
      entryPoints: [MAIN],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
    });
    compiledMain = out;
  }
  return compiledMain;
}

/**
 * V8 heap flags as Lambda's Node.js runtime sets them from the function's memory (its bootstrap script): a tenth
 * of the memory is the young generation (two semi-spaces), the rest the old space. Without the semi-space flag
 * V8 keeps a 16 MB young generation and scavenges far more often than a Lambda function of this memory does.
 */
export function heapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

/** Entry point and node options for a handler file. */
function entryFor(file: string, memoryMb: number): { main: string; execArgv: string[] } {
  const heap = heapFlags(memoryMb);
  return /\.[cm]?tsx?$/.test(file)
    ? { main: MAIN, execArgv: ['--import', 'tsx', ...heap] }
    : { main: plainMain(), execArgv: heap };
}

/** Everything needed to start one execution environment of a function. */
export interface ContainerSpec {
  functionName: string;
  functionArn: string;
  handler: HandlerRef;
  /** The container's complete environment (Lambda variables, shared endpoints, the function's own). */
  env: Record<string, string>;
  memoryMb: number;
  timeoutSeconds: number;
  initTimeoutMs: number;
  cwd: string;
  onLog?: (line: ContainerLogLine) => void;
}

/** How one invocation in this container ended. */
export type ContainerResult =
  | { ok: true; payload: string; coldStart: boolean; initMs?: number }
  | { ok: false; error: FunctionErrorPayload; coldStart: boolean; initMs?: number };

let nextId = 0;

/**
 * One simulated execution environment: a child process with its own module scope. The first invocation
 * waits for the module to load (cold start); later ones reuse it (warm). A timeout, a crash or an init
 * error ends the process; the caller sees a function error and the container is not reused.
 */
export class Container {
  readonly id = `c${++nextId}`;
  readonly #spec: ContainerSpec;
  readonly #child: ChildProcess;
  readonly #ready: Promise<FunctionErrorPayload | undefined>;
  readonly #startedAt = performance.now();
  #initMs: number | undefined;
  #invocations = 0;
  #exited = false;
  #outOfMemory = false;
  #broken = false;
  #crash: FunctionErrorPayload | undefined;
  #pending: { requestId: string; settle: (result: ContainerResult) => void } | undefined;
  #lastUsed = Date.now();

  constructor(spec: ContainerSpec) {
    this.#spec = spec;
    const entry = entryFor(spec.handler.file, spec.memoryMb);
    this.#child = fork(entry.main, [spec.handler.file, spec.handler.export], {
      cwd: spec.cwd,
      env: spec.env,
      execArgv: entry.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // V8's serializer, not JSON: the event travels as a string inside the message, and JSON would escape
      // every quote of it on the way and scan it again on arrival (~20 % less CPU per message, both sides).
      serialization: 'advanced',
    });
    this.#pipe('stdout');
    this.#pipe('stderr');
    this.#ready = new Promise((resolve) => {
      const timer = setTimeout(() => {
        void this.kill();
        resolve({
          errorType: 'Runtime.InitTimeout',
          errorMessage: `Init phase exceeded ${spec.initTimeoutMs} ms`,
        });
      }, spec.initTimeoutMs);
      const settle = (error: FunctionErrorPayload | undefined): void => {
        clearTimeout(timer);
        this.#initMs ??= performance.now() - this.#startedAt;
        resolve(error);
      };
      // A process that cannot start (or an IPC channel that broke) is an environment that failed to init.
      this.#child.on('error', (error) => {
        const failure = { errorType: 'Runtime.StartError', errorMessage: error.message };
        settle(failure);
        this.#pending?.settle(this.#failure(failure));
        this.#pending = undefined;
        this.#broken = true;
        void this.kill();
      });
      this.#child.on('message', (message: ContainerMessage) => {
        if (message.type === 'ready') settle(undefined);
        else if (message.type === 'init-error') settle(message.error);
        else this.#onMessage(message);
      });
      // 'close' comes after the IPC channel and pipes drained, so a crash report sent just before exiting is seen.
      this.#child.once('close', (code, signal) => {
        this.#exited = true;
        const error = exitError('init', { code, signal, outOfMemory: this.#outOfMemory });
        settle(this.#crash ?? error);
        this.#pending?.settle(
          this.#failure(
            this.#crash ??
              exitError(this.#pending.requestId, { code, signal, outOfMemory: this.#outOfMemory }),
          ),
        );
        this.#pending = undefined;
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** False once the process ended or was killed: it is never used again. */
  get alive(): boolean {
    return (
      !this.#exited &&
      !this.#broken &&
      this.#child.exitCode === null &&
      this.#child.signalCode === null &&
      !this.#child.killed
    );
  }

  get lastUsed(): number {
    return this.#lastUsed;
  }

  /** Runs the handler once; resolves (never rejects) with its result or Lambda's error for it. */
  async invoke(requestId: string, payload: string): Promise<ContainerResult> {
    const coldStart = this.#invocations++ === 0;
    const initError = await this.#ready;
    if (initError) {
      void this.kill();
      const error = {
        ...initError,
        errorMessage: initError.errorMessage.replace('RequestId: init ', `RequestId: ${requestId} `),
      };
      return { ok: false, error, coldStart, ...this.#init(coldStart) };
    }
    if (!this.alive) {
      return {
        ok: false,
        error: exitError(requestId, { code: null, signal: 'SIGKILL', outOfMemory: false }),
        coldStart,
      };
    }
    const timeoutMs = this.#spec.timeoutSeconds * 1000;
    const result = await new Promise<ContainerResult>((resolve) => {
      const timer = setTimeout(() => {
        void this.kill();
        settle(this.#failure(timeoutError(requestId, this.#spec.timeoutSeconds)));
      }, timeoutMs);
      const settle = (outcome: ContainerResult): void => {
        clearTimeout(timer);
        if (this.#pending?.requestId === requestId) this.#pending = undefined;
        resolve(outcome);
      };
      this.#pending = { requestId, settle };
      const message: InvokeRequestMessage = {
        type: 'invoke',
        requestId,
        payload,
        deadlineMs: Date.now() + timeoutMs,
        invokedFunctionArn: this.#spec.functionArn,
      };
      this.#child.send(message, (error) => {
        if (error)
          settle(this.#failure(exitError(requestId, { code: null, signal: null, outOfMemory: false })));
      });
    });
    this.#lastUsed = Date.now();
    return { ...result, coldStart, ...this.#init(coldStart) };
  }

  /** Kills the process (SIGKILL: a timed-out Lambda environment gets no grace period) and waits for it. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (this.#exited || child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
      return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGKILL');
    await exited;
  }

  #onMessage(message: ContainerMessage): void {
    if (message.type === 'crash') {
      this.#crash = message.error;
      return;
    }
    if (
      (message.type === 'result' || message.type === 'error') &&
      this.#pending?.requestId === message.requestId
    ) {
      this.#pending.settle(
        message.type === 'result'
          ? { ok: true, payload: message.payload, coldStart: false }
          : this.#failure(message.error),
      );
    }
  }

  #failure(error: FunctionErrorPayload): ContainerResult {
    return { ok: false, error, coldStart: false };
  }

  #init(coldStart: boolean): { initMs?: number } {
    return coldStart && this.#initMs !== undefined ? { initMs: this.#initMs } : {};
  }

  #pipe(stream: 'stdout' | 'stderr'): void {
    const source = this.#child[stream];
    if (!source) return;
    const lines = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      if (stream === 'stderr' && /JavaScript heap out of memory|Reached heap limit/.test(line)) {
        this.#outOfMemory = true;
      }
      this.#spec.onLog?.({ functionName: this.#spec.functionName, containerId: this.id, stream, line });
    });
  }
}
