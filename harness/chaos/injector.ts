import { errorResponse, route } from '../../lib/lambda-emulator/index.js';
import { type Emulator, startEmulator } from '../../lib/local/emulators.js';
import type { LocalPipeline } from '../../lib/local/pipeline.js';
import { kinesisFaults, sqsFaults } from './aws-faults.js';
import type { HttpDestination } from './http-destination.js';
import { type Attribution, type FaultCounts, FaultLog, type Timeline } from './log.js';
import type { ChaosPlan, Fault } from './plan.js';
import { faultStream, pickPoints } from './prng.js';
import type { FaultProxy } from './proxy.js';

/** How long after a worker's kill its in-flight requests may still land (and count as its own). */
const KILL_SETTLE_MS = 2_000;

/** A target of the run, as the injector needs to know it. */
export interface ChaosTarget {
  name: string;
  type: 'kinesis' | 'http';
  worker: string;
  /** Destination calls the run will make to it, about (to place one-off faults inside the run). */
  expectedCalls: number;
  /** The worker's timeout: how long an invocation (and its lease on its records) lasts at most. */
  timeoutSeconds: number;
}

export interface InjectorDeps {
  pipeline: LocalPipeline;
  plan: ChaosPlan;
  targets: readonly ChaosTarget[];
  sqsProxy: FaultProxy;
  kinesisProxy: FaultProxy;
  http: HttpDestination;
  /** Hand-offs the run will make, about. */
  expectedHandoffs: number;
  /** dynalite's data folder, so that a restart keeps the delivered keys. */
  storeDataDir: string | undefined;
  /** The record index in a record's data. */
  indexOf: (data: Buffer) => number | undefined;
  /** A record's idempotency key at a target. */
  keyOf: (target: string, index: number) => string | undefined;
  /**
   * The records (by index) among `indexes` that the idempotency ledger records as delivered to a target (read to
   * see what a dead worker left unrecorded). Throws while the store is down.
   */
  recorded: (target: string, indexes: readonly number[]) => Promise<Set<number>>;
}

/** A running fault injector; `stop()` ends every fault (what is under way finishes). */
export interface Injector {
  counts: FaultCounts;
  /** Once every pending look-up after a worker's death is done. */
  attribution(): Promise<Attribution>;
  /** When a worker last died (crash or timeout), if one did. */
  lastDeath(): number | undefined;
  timeline(target: string, index: number): Timeline;
  /** The dynalite started by a store restart, if any: the run stops it (the pipeline knows only the first). */
  restartedStore(): Emulator | undefined;
  /**
   * After the store restart, once the pipeline is quiet and before any DLQ replay: the records applied within a
   * worker's timeout before the outage whose keys are still unrecorded. A worker marks a call's records after
   * the whole call answered, so a call under way when the store went down applied records whose marks then
   * failed (on a busy machine, seconds before the outage); their retry applies them again.
   */
  settleStoreOutage(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Installs the chosen faults on a running local pipeline: the runtime's hooks (Invoke throttles, injected
 * worker errors, hand-off counting), the proxies' handlers (SQS, Kinesis), the http destination's answers, the
 * crashes placed by the seeded PRNG, and the store restart. Each fault draws from its own seeded stream.
 */
export function startInjector(deps: InjectorDeps): Injector {
  const { pipeline, plan, targets } = deps;
  const on = (fault: Fault): boolean => plan.faults.has(fault);
  const rng = (name: string) => faultStream(plan.seed, name);
  const log = new FaultLog();
  const workers = new Map(targets.map((t) => [t.worker, t]));
  const byPath = new Map(targets.map((t) => [`/${t.name}`, t]));
  const byStream = new Map(targets.map((t) => [t.name, t]));
  const dispatcher = pipeline.names.dispatcherFunction();
  let active = true;
  let stopping: Promise<void> | undefined;

  const pending = new Set<Promise<void>>();
  const track = (work: Promise<void>): void => {
    const tracked = work.catch(() => {});
    pending.add(tracked);
    void tracked.finally(() => pending.delete(tracked));
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /**
   * A worker died (killed: every container of the function, or Lambda's timeout): the records it applied and
   * whose keys are not in the store are what its retry can deliver again. Its invocations started at most its
   * timeout ago; the look-up runs once the processes are gone, so nothing of theirs is recorded after it.
   */
  const unrecordedOf = async (target: ChaosTarget, indexes: Iterable<number>): Promise<number[]> => {
    const asked = [...indexes].filter((i) => deps.keyOf(target.name, i) !== undefined);
    let recorded: Set<number> | undefined;
    // The store may be down (store-restart): look again until it is back; if it never is, explain nothing.
    for (let attempt = 0; attempt < 10 && !recorded; attempt++) {
      recorded = await deps.recorded(target.name, asked).catch(async () => {
        await sleep(1_000);
        return undefined;
      });
    }
    return recorded ? asked.filter((i) => !recorded.has(i)) : [];
  };
  const workerDied = async (target: ChaosTarget, at: number): Promise<void> => {
    const from = at - target.timeoutSeconds * 1000 - 1_000;
    const first = new Set(log.between(target.name, from, at));
    const before = await unrecordedOf(target, first);
    // Requests the dead worker had sent still land for a moment (logged at their arrival, so possibly before
    // `at`); its retry cannot record them as soon: an async retry waits for the exit and its delay and then
    // for the dead invocation's lease (until it would have ended), a queue message for its visibility timeout.
    await sleep(KILL_SETTLE_MS);
    const late = new Set(log.between(target.name, from, at + KILL_SETTLE_MS).filter((i) => !first.has(i)));
    const after = await unrecordedOf(target, late);
    log.died(target.name, at, [...new Set([...before, ...after])]);
  };
  /** When the injector last killed a worker function's containers (their invocations then end in exit errors). */
  const injectedKill = new Map<string, number>();
  pipeline.runtime.events.on('invocation', (event) => {
    const target = workers.get(event.functionName);
    const type = event.error?.errorType;
    if (!target) return;
    if (type === 'Sandbox.Timedout') {
      log.counts.workerTimeouts++;
      track(workerDied(target, Date.now()));
    } else if (type === 'Runtime.ExitError' || type === 'Runtime.OutOfMemory') {
      // A process that died on its own (out of memory, a signal) is a deliver-then-die window too; the ones
      // the injector killed a moment ago are looked up already.
      if (Date.now() - (injectedKill.get(target.name) ?? 0) < KILL_SETTLE_MS) return;
      log.counts.workerExits++;
      track(workerDied(target, Date.now()));
    }
  });

  const throttle = rng('invoke-throttle');
  const workerError = rng('worker-error');
  const crashPoints = pickPoints(
    rng('dispatcher-crash'),
    on('dispatcher-crash') ? plan.dispatcherCrashes : 0,
    3,
    Math.max(4, Math.floor(deps.expectedHandoffs * 0.6)),
  );
  const storePoint = Math.max(2, Math.floor(deps.expectedHandoffs * (0.2 + 0.3 * rng('store-restart')())));
  let handoffs = 0;
  const handedOff = (): void => {
    handoffs++;
    if (!active) return;
    if (crashPoints[0] !== undefined && handoffs >= crashPoints[0]) {
      crashPoints.shift();
      log.counts.dispatcherCrashes++;
      log.dispatcherCrashed(Date.now());
      void pipeline.runtime.crash(dispatcher);
    }
    if (on('store-restart') && handoffs === storePoint) {
      stopping = restartStore();
      // Awaited by stop(); never an unhandled rejection meanwhile.
      stopping.catch(() => {});
    }
  };

  let store: Emulator | undefined;
  const restartStore = async (): Promise<void> => {
    const old = pipeline.emulators.dynamodb;
    log.storeDown(Date.now());
    await old.stop();
    await new Promise((r) => setTimeout(r, plan.storeDownSeconds * 1000));
    // A busy machine can take longer than the usual 20 s to start it (tsx, the data folder): wait, and try
    // again rather than end the run with the store down.
    for (let attempt = 1; !store; attempt++) {
      try {
        store = await startEmulator('dynamodb', {
          port: old.port,
          startTimeoutMs: 60_000,
          ...(deps.storeDataDir ? { dataDir: deps.storeDataDir } : {}),
        });
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    log.storeUp(Date.now());
    log.counts.storeRestarts++;
  };

  pipeline.runtime.setFaults({
    beforeApiCall: (call) => {
      if (!active || !on('invoke-throttle') || call.invocationType !== 'Event') return undefined;
      const fn = route(call.method, call.url)?.functionName;
      if (!fn || !workers.has(fn) || throttle() >= plan.invokeThrottleRate) return undefined;
      log.counts.invokeThrottles++;
      return errorResponse(429, 'TooManyRequestsException', 'Rate Exceeded.', {
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      });
    },
    afterApiCall: (call, status) => {
      if (call.invocationType === 'Event' && status === 202) handedOff();
    },
    beforeInvoke: (functionName) => {
      if (!active || !on('worker-error') || !workers.has(functionName)) return undefined;
      if (workerError() >= plan.workerErrorRate) return undefined;
      log.counts.workerErrors++;
      return { errorType: 'Chaos.InjectedError', errorMessage: 'chaos: injected worker exception' };
    },
  });

  const sqsRandom = rng('sqs-throttle');
  deps.sqsProxy.handler = sqsFaults({
    random: sqsRandom,
    throttleRate: () => (active && on('sqs-throttle') ? plan.sqsThrottleRate : 0),
    entryFailureRate: () => (active && on('sqs-throttle') ? plan.sqsEntryFailureRate : 0),
    onSent: handedOff,
    onFault: (kind, n) => {
      if (kind === 'call') log.counts.sqsThrottles += n;
      else log.counts.sqsFailedEntries += n;
    },
  });

  // A worker crash strikes as the destination's answer is sent: the delivery happened, its keys are not recorded.
  const crashCalls = new Map(
    targets.map((t) => [
      t.name,
      pickPoints(
        rng(`worker-crash:${t.name}`),
        on('worker-crash-after-delivery') ? plan.workerCrashes : 0,
        2,
        Math.max(3, Math.floor(t.expectedCalls * 0.6)),
      ),
    ]),
  );
  const calls = new Map<string, number>();
  const applied = (target: ChaosTarget, data: Buffer[], now = Date.now()): (() => void) | undefined => {
    for (const d of data) {
      const index = deps.indexOf(d);
      if (index !== undefined) log.applied(target.name, index, now);
    }
    const n = (calls.get(target.name) ?? 0) + 1;
    calls.set(target.name, n);
    const points = crashCalls.get(target.name) ?? [];
    if (!active || points[0] === undefined || n < points[0]) return undefined;
    points.shift();
    return () => {
      // The kill signals go out synchronously: look at the store at once, before a retry of the dead
      // invocation (after the processes exited) can record the keys it delivers again.
      injectedKill.set(target.name, Date.now());
      const killed = pipeline.runtime.crash(target.worker);
      log.counts.workerCrashes++;
      track(workerDied(target, Date.now()));
      track(killed.then(() => {}));
    };
  };

  /** The destination applied a record, but its caller never saw the answer: its retry applies it again. */
  const answerLost = (target: ChaosTarget, data: Buffer): void => {
    const index = deps.indexOf(data);
    if (index === undefined) return;
    log.counts.answersLost++;
    log.answerLost(target.name, index);
  };

  const kinesisRandom = rng('kinesis-partial');
  deps.kinesisProxy.handler = kinesisFaults({
    random: kinesisRandom,
    entryFailureRate: () => (active && on('kinesis-partial') ? plan.kinesisEntryFailureRate : 0),
    onFault: (n) => {
      log.counts.kinesisFailedEntries += n;
    },
    // Logged at the request's arrival: the write lands later (a busy emulator), but was sent before a kill.
    onPut: (stream, data, arrivedAt) => {
      const target = byStream.get(stream);
      return target ? applied(target, data, arrivedAt) : undefined;
    },
    onLost: (stream, data) => {
      const target = byStream.get(stream);
      if (target) for (const d of data) answerLost(target, d);
    },
  });

  const httpError = rng('http-errors');
  const outageStart = new Map<string, number>();
  deps.http.faults = {
    down: (path) => {
      if (!active || !on('http-outage')) return false;
      const start = outageStart.get(path) ?? Date.now();
      outageStart.set(path, start);
      const down = Date.now() - start < plan.outageSeconds * 1000;
      if (down) log.counts.httpOutageRefusals++;
      return down;
    },
    error: () => {
      if (!active || !on('http-errors') || httpError() >= plan.httpErrorRate) return false;
      log.counts.httpErrors++;
      return true;
    },
    onAccepted: (path, body) => {
      const target = byPath.get(path);
      return target ? applied(target, [body]) : undefined;
    },
    onAnswerLost: (path, body) => {
      const target = byPath.get(path);
      if (target) answerLost(target, body);
    },
  };

  return {
    counts: log.counts,
    attribution: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
      return log.attribution();
    },
    lastDeath: () => log.lastDeath,
    timeline: (target, index) => log.timeline(target, index),
    restartedStore: () => store,
    settleStoreOutage: async () => {
      const outage = log.storeOutage();
      if (!outage) return;
      for (const target of targets) {
        const before = log.between(target.name, outage[0] - target.timeoutSeconds * 1000 - 1_000, outage[0]);
        log.leftUnrecordedByStore(target.name, await unrecordedOf(target, before));
      }
    },
    // The proxies and the http destination keep their handlers (inactive: no fault) so that every later
    // delivery is still logged for the audit's attribution.
    stop: async () => {
      active = false;
      pipeline.runtime.setFaults(undefined);
      await stopping;
    },
  };
}
