import { errorResponse, route } from '../../lib/lambda-emulator/index.js';
import type { Emulator } from '../../lib/local/emulators.js';
import { sqsFaults } from './aws-faults.js';
import { installDestinationFaults } from './destination-faults.js';
import type { Injection } from './injection.js';
import type { InjectorDeps } from './injector-deps.js';
import { type Attribution, type FaultCounts, FaultLog, type Timeline } from './log.js';
import { faultStream, pickPoints } from './prng.js';
import { StoreRestart } from './store-restart.js';
import { WorkerDeaths } from './worker-deaths.js';

export type { ChaosTarget, InjectorDeps } from './injector-deps.js';

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
  const log = new FaultLog();
  const deaths = new WorkerDeaths(log, deps);
  let active = true;
  const injection: Injection = {
    deps,
    log,
    deaths,
    on: (fault) => plan.faults.has(fault),
    rng: (name) => faultStream(plan.seed, name),
    active: () => active,
  };
  deaths.watch(pipeline, new Map(targets.map((t) => [t.worker, t])));
  const store = new StoreRestart(injection);
  const handedOff = handoffFaults(injection, store);
  installRuntimeFaults(injection, handedOff);
  deps.sqsProxy.handler = sqsFaults({
    random: injection.rng('sqs-throttle'),
    throttleRate: () => (active && injection.on('sqs-throttle') ? plan.sqsThrottleRate : 0),
    entryFailureRate: () => (active && injection.on('sqs-throttle') ? plan.sqsEntryFailureRate : 0),
    onSent: handedOff,
    onFault: (kind, n) => {
      if (kind === 'call') log.counts.sqsThrottles += n;
      else log.counts.sqsFailedEntries += n;
    },
  });
  installDestinationFaults(injection);

  return {
    counts: log.counts,
    attribution: async () => {
      await deaths.settled();
      return log.attribution();
    },
    lastDeath: () => log.lastDeath,
    timeline: (target, index) => log.timeline(target, index),
    restartedStore: () => store.started,
    settleStoreOutage: async () => {
      const outage = log.storeOutage();
      if (!outage) return;
      for (const target of targets) {
        const before = log.between(target.name, outage[0] - target.timeoutSeconds * 1000 - 1_000, outage[0]);
        log.leftUnrecordedByStore(target.name, await deaths.unrecordedOf(target, before));
      }
    },
    // The proxies and the http destination keep their handlers (inactive: no fault) so that every later
    // delivery is still logged for the audit's attribution.
    stop: async () => {
      active = false;
      pipeline.runtime.setFaults(undefined);
      await store.done;
    },
  };
}

/**
 * What happens at the n-th hand-off (async Invoke or SQS message): the dispatcher crashes at points the seeded
 * stream picked, and the store restarts at its point. Returns the hook each hand-off calls.
 */
function handoffFaults(injection: Injection, store: StoreRestart): () => void {
  const { deps, log, on, rng, active } = injection;
  const { pipeline, plan } = deps;
  const dispatcher = pipeline.names.dispatcherFunction();
  const crashPoints = pickPoints(
    rng('dispatcher-crash'),
    on('dispatcher-crash') ? plan.dispatcherCrashes : 0,
    3,
    Math.max(4, Math.floor(deps.expectedHandoffs * 0.6)),
  );
  const storePoint = Math.max(2, Math.floor(deps.expectedHandoffs * (0.2 + 0.3 * rng('store-restart')())));
  let handoffs = 0;
  return () => {
    handoffs++;
    if (!active()) return;
    if (crashPoints[0] !== undefined && handoffs >= crashPoints[0]) {
      crashPoints.shift();
      log.counts.dispatcherCrashes++;
      log.dispatcherCrashed(Date.now());
      void pipeline.runtime.crash(dispatcher);
    }
    if (on('store-restart') && handoffs === storePoint) store.start();
  };
}

/** The runtime's hooks: throttled async Invokes of workers, injected worker errors, counted hand-offs. */
function installRuntimeFaults(injection: Injection, handedOff: () => void): void {
  const { deps, log, on, rng, active } = injection;
  const { plan } = deps;
  const workers = new Set(deps.targets.map((t) => t.worker));
  const throttle = rng('invoke-throttle');
  const workerError = rng('worker-error');
  deps.pipeline.runtime.setFaults({
    beforeApiCall: (call) => {
      if (!active() || !on('invoke-throttle') || call.invocationType !== 'Event') return undefined;
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
      if (!active() || !on('worker-error') || !workers.has(functionName)) return undefined;
      if (workerError() >= plan.workerErrorRate) return undefined;
      log.counts.workerErrors++;
      return { errorType: 'Chaos.InjectedError', errorMessage: 'chaos: injected worker exception' };
    },
  });
}
