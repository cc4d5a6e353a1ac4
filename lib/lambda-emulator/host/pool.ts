import { RuntimeStoppedError } from '../errors.js';
import { Container, type ContainerResult, type ContainerSpec } from './container.js';

export interface FunctionPoolOptions {
  /** Reserved concurrency; unset: `unreservedLimit`. */
  reserved?: number;
  unreservedLimit: number;
  /** Idle containers older than this are stopped (Lambda recycles idle environments). */
  idleTimeoutMs: number;
  /** Builds the spec when a container starts, so late settings (the runtime's own endpoint) are included. */
  spec: () => ContainerSpec;
}

/**
 * The execution environments of one function, and its concurrency: a slot must be held to run an
 * invocation, slots are at most the reserved concurrency (which can change live), and an idle warm
 * container is reused before a new one starts. Waiting callers are served first come, first served.
 */
export class FunctionPool {
  readonly #options: FunctionPoolOptions;
  #reserved: number | undefined;
  #inFlight = 0;
  #waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #slotListeners = new Set<() => void>();
  #idle: Container[] = [];
  #all = new Set<Container>();
  #stopped = false;
  #reaper: NodeJS.Timeout | undefined;
  #coldStarts = 0;
  #lastInitMs: number | undefined;

  constructor(options: FunctionPoolOptions) {
    this.#options = options;
    this.#reserved = options.reserved;
    const every = Math.min(options.idleTimeoutMs, 30_000);
    if (Number.isFinite(every)) {
      this.#reaper = setInterval(() => this.#reap(), Math.max(every, 100));
      this.#reaper.unref();
    }
  }

  get reserved(): number | undefined {
    return this.#reserved;
  }

  /** Invocations that may run at once. */
  get limit(): number {
    return this.#reserved ?? this.#options.unreservedLimit;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get containers(): number {
    return this.#all.size;
  }

  get coldStarts(): number {
    return this.#coldStarts;
  }

  get lastInitMs(): number | undefined {
    return this.#lastInitMs;
  }

  /** Changes reserved concurrency (PutFunctionConcurrency); lowering it lets running invocations finish. */
  setReserved(reserved: number | undefined): void {
    this.#reserved = reserved;
    while (this.#idle.length > this.limit) this.#retire(this.#idle.shift() as Container);
    this.#wake();
  }

  /** Takes a slot if one is free now. */
  tryAcquire(): boolean {
    if (this.#stopped || this.#waiters.length > 0 || this.#inFlight >= this.limit) return false;
    this.#inFlight++;
    return true;
  }

  /** Waits for a slot (what an event source mapping does when the function is throttled). */
  acquire(): Promise<void> {
    if (this.#stopped) return Promise.reject(new RuntimeStoppedError());
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  release(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#wake();
  }

  /** Called whenever a slot frees up and nobody is waiting for it (the async event queue listens). */
  onSlotFree(listener: () => void): () => void {
    this.#slotListeners.add(listener);
    return () => this.#slotListeners.delete(listener);
  }

  /** Runs one invocation in a warm container or a new one; the caller holds a slot. */
  async run(requestId: string, payload: string): Promise<ContainerResult> {
    if (this.#stopped) {
      const error = { errorType: 'Runtime.Stopped', errorMessage: 'the local Lambda runtime has stopped' };
      return { ok: false, error, coldStart: false };
    }
    let container = this.#idle.pop();
    while (container && !container.alive) {
      this.#all.delete(container);
      container = this.#idle.pop();
    }
    if (!container) {
      container = new Container(this.#options.spec());
      this.#all.add(container);
      this.#coldStarts++;
    }
    const result = await container.invoke(requestId, payload);
    if (result.initMs !== undefined) this.#lastInitMs = result.initMs;
    if (!container.alive || this.#stopped || this.#idle.length >= this.limit) this.#retire(container);
    else this.#idle.push(container);
    return result;
  }

  /**
   * Kills every container of the function, busy or idle, as a crash would (chaos runs): a running
   * invocation ends with the exit error, the next one starts a new container. Returns how many were killed.
   */
  async crash(): Promise<number> {
    const all = [...this.#all];
    await Promise.all(all.map((container) => container.kill()));
    return all.length;
  }

  /** Stops every container, running or idle, and fails the waiters. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reaper) clearInterval(this.#reaper);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new RuntimeStoppedError());
    const all = [...this.#all];
    this.#all.clear();
    this.#idle = [];
    await Promise.all(all.map((container) => container.kill()));
  }

  #wake(): void {
    while (this.#waiters.length > 0 && this.#inFlight < this.limit && !this.#stopped) {
      this.#inFlight++;
      this.#waiters.shift()?.resolve();
    }
    if (this.#inFlight < this.limit && !this.#stopped) {
      for (const listener of this.#slotListeners) listener();
    }
  }

  #retire(container: Container): void {
    this.#all.delete(container);
    void container.kill();
  }

  #reap(): void {
    const cutoff = Date.now() - this.#options.idleTimeoutMs;
    const keep = this.#idle.filter((container) => container.lastUsed >= cutoff && container.alive);
    for (const container of this.#idle) if (!keep.includes(container)) this.#retire(container);
    this.#idle = keep;
  }
}
