/** The faults at the destinations: Kinesis partial failures, http errors and outages, a worker killed mid-call. */
import { kinesisFaults } from './aws-faults.js';
import type { Injection } from './injection.js';
import type { ChaosTarget } from './injector-deps.js';
import { pickPoints } from './prng.js';

/** Logs a call's records as applied at a target; returns the kill to run as its answer goes out, if due. */
type Applied = (target: ChaosTarget, data: Buffer[], now?: number) => (() => void) | undefined;
/** The destination applied a record, but its caller never saw the answer: its retry applies it again. */
type AnswerLost = (target: ChaosTarget, data: Buffer) => void;

/** Installs the Kinesis proxy's and the http destination's faults; both log every record they apply. */
export function installDestinationFaults(injection: Injection): void {
  const applied = appliedRecords(injection);
  const answerLost: AnswerLost = (target, data) => {
    const index = injection.deps.indexOf(data);
    if (index === undefined) return;
    injection.log.counts.answersLost++;
    injection.log.answerLost(target.name, index);
  };
  installKinesisFaults(injection, applied, answerLost);
  installHttpFaults(injection, applied, answerLost);
}

/**
 * A worker crash strikes as the destination's answer is sent: the delivery happened, its keys are not recorded.
 * Each target's crashes fall on calls picked by its own seeded stream.
 */
function appliedRecords(injection: Injection): Applied {
  const { deps, log, on, rng, active, deaths } = injection;
  const { plan, targets, pipeline } = deps;
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
  return (target, data, now = Date.now()) => {
    for (const d of data) {
      const index = deps.indexOf(d);
      if (index !== undefined) log.applied(target.name, index, now);
    }
    const n = (calls.get(target.name) ?? 0) + 1;
    calls.set(target.name, n);
    const points = crashCalls.get(target.name) ?? [];
    if (!active() || points[0] === undefined || n < points[0]) return undefined;
    points.shift();
    return () => deaths.kill(pipeline, target);
  };
}

function installKinesisFaults(injection: Injection, applied: Applied, answerLost: AnswerLost): void {
  const { deps, log, on, rng, active } = injection;
  const byStream = new Map(deps.targets.map((t) => [t.name, t]));
  deps.kinesisProxy.handler = kinesisFaults({
    random: rng('kinesis-partial'),
    entryFailureRate: () => (active() && on('kinesis-partial') ? deps.plan.kinesisEntryFailureRate : 0),
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
}

function installHttpFaults(injection: Injection, applied: Applied, answerLost: AnswerLost): void {
  const { deps, log, on, rng, active } = injection;
  const { plan } = deps;
  const byPath = new Map(deps.targets.map((t) => [`/${t.name}`, t]));
  const httpError = rng('http-errors');
  const outageStart = new Map<string, number>();
  deps.http.faults = {
    down: (path) => {
      if (!active() || !on('http-outage')) return false;
      const start = outageStart.get(path) ?? Date.now();
      outageStart.set(path, start);
      const down = Date.now() - start < plan.outageSeconds * 1000;
      if (down) log.counts.httpOutageRefusals++;
      return down;
    },
    error: () => {
      if (!active() || !on('http-errors') || httpError() >= plan.httpErrorRate) return false;
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
}
