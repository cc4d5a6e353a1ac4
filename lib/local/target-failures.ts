import type { Naming } from '../config/naming.js';
import { errorResponse, type LocalLambdaRuntime, route } from '../lambda-emulator/index.js';
import { LocalModeError } from './errors.js';
import type { LocalReceiver } from './receiver.js';
import type { LocalStack, LocalTarget } from './stack.js';

/** Error type of the invocations `fanout local fail` makes fail (targets whose destination is not the receiver). */
export const LOCAL_FAILURE_ERROR = 'LocalTargetFailure';

/** `fanout local fail <target>`: what makes a target fail, and how it is told to stop. */
export interface TargetFailures {
  /** `handoff`: the dispatcher's hand-off to the target fails instead of its delivery. */
  fail(target: string, status: number, handoff?: boolean): string;
  recover(target: string): string;
  /** How a target is failing now, for the status; undefined when it is not. */
  failing(target: string): string | undefined;
}

/**
 * Makes local targets fail on demand, so the retry, DLQ and replay paths can be tried by hand: an http target at
 * the local receiver gets `status` as the answer to every request (a real destination failure: the worker's
 * adapter sees it and retries, then dead-letters, with the status in the reason); any other target's worker fails
 * every invocation before its handler runs, with {@link LOCAL_FAILURE_ERROR} (Lambda retries, then the DLQ).
 * With `handoff`, the dispatcher's `Invoke` of a `via: invoke` target's worker is answered 500 instead: the
 * dispatcher retries, then fails the batch, which the mapping retries and finally sends to the failure queue
 * (`fanout replay --source`).
 */
export function targetFailures(
  stack: LocalStack,
  names: Naming,
  receiver: LocalReceiver,
  runtime: LocalLambdaRuntime,
): TargetFailures {
  return new LocalTargetFailures(stack, names, receiver, runtime);
}

class LocalTargetFailures implements TargetFailures {
  /** Worker function -> the error message its invocations fail with. */
  readonly #workers = new Map<string, string>();
  /** Worker functions whose async Invoke by the dispatcher is answered 500. */
  readonly #handoffs = new Set<string>();

  readonly #stack: LocalStack;
  readonly #names: Naming;
  readonly #receiver: LocalReceiver;
  readonly #runtime: LocalLambdaRuntime;

  constructor(stack: LocalStack, names: Naming, receiver: LocalReceiver, runtime: LocalLambdaRuntime) {
    this.#stack = stack;
    this.#names = names;
    this.#receiver = receiver;
    this.#runtime = runtime;
  }

  fail(name: string, status: number, handoff = false): string {
    const target = this.#find(name);
    if (handoff) return this.#failHandoff(target);
    if (this.#atReceiver(target)) {
      if (!Number.isInteger(status) || status < 400 || status > 599)
        throw new LocalModeError(`--status must be an HTTP error status from 400 to 599, got ${status}`);
      this.#receiver.behave(`/${name}`, { status });
      return `target "${name}": the local receiver now answers every request with HTTP ${status} (the worker retries, then dead-letters with the reason); \`fanout local fail ${name} --recover\` ends it`;
    }
    this.#workers.set(
      this.#names.workerFunction(name),
      `target "${name}" was made to fail by \`fanout local fail\` (local mode); \`fanout local fail ${name} --recover\` ends it`,
    );
    this.#install();
    return `target "${name}": its worker now fails every invocation with ${LOCAL_FAILURE_ERROR} (Lambda retries, then dead-letters the envelope); \`fanout local fail ${name} --recover\` ends it`;
  }

  recover(name: string): string {
    const target = this.#find(name);
    this.#receiver.behave(`/${name}`, undefined);
    this.#workers.delete(this.#names.workerFunction(name));
    this.#handoffs.delete(this.#names.workerFunction(name));
    this.#install();
    return `target "${name}" delivers again${this.#atReceiver(target) ? ' (the local receiver answers 200)' : ''}; \`fanout replay ${name}\` hands back what went to its DLQ meanwhile`;
  }

  failing(name: string): string | undefined {
    const status = this.#receiver.behaviour(`/${name}`)?.status;
    const worker = this.#names.workerFunction(name);
    const how = [
      ...(this.#handoffs.has(worker) ? ['hand-off'] : []),
      ...(status && status >= 400 ? [`HTTP ${status}`] : []),
      ...(this.#workers.has(worker) ? [LOCAL_FAILURE_ERROR] : []),
    ];
    return how.length > 0 ? how.join(', ') : undefined;
  }

  /** `--handoff`: the dispatcher's Invoke of a `via: invoke` target's worker is answered 500. */
  #failHandoff(target: LocalTarget): string {
    const { name } = target;
    if (target.via !== 'invoke') {
      throw new LocalModeError(
        `--handoff makes the dispatcher's Invoke of a via: invoke target fail; "${name}" is via: queue, whose hand-off goes to fauxqs`,
      );
    }
    this.#handoffs.add(this.#names.workerFunction(name));
    this.#install();
    return `target "${name}": the dispatcher's hand-offs to it now fail (Invoke answers 500): it retries, then fails the batch, which goes to the failure queue once the mapping's retries are spent (\`fanout replay --source\`); \`fanout local fail ${name} --recover\` ends it`;
  }

  #find(name: string): LocalTarget {
    const target = this.#stack.targets.find((t) => t.name === name);
    if (!target) {
      throw new LocalModeError(
        `no target "${name}" in this configuration; its targets: ${this.#stack.targets.map((t) => t.name).join(', ')}`,
      );
    }
    if (target.disabled)
      throw new LocalModeError(`target "${name}" does not run in local mode: ${target.disabled}`);
    return target;
  }

  #atReceiver(target: LocalTarget): boolean {
    return target.type === 'http' && target.destination.startsWith(`${this.#receiver.url}/`);
  }

  /** The runtime's faults as they now are: none once nothing fails. */
  #install(): void {
    const workers = this.#workers;
    const handoffs = this.#handoffs;
    this.#runtime.setFaults(
      workers.size === 0 && handoffs.size === 0
        ? undefined
        : {
            beforeInvoke: (functionName) => {
              const message = workers.get(functionName);
              return message ? { errorType: LOCAL_FAILURE_ERROR, errorMessage: message } : undefined;
            },
            beforeApiCall: (call) => {
              const fn =
                call.invocationType === 'Event' ? route(call.method, call.url)?.functionName : undefined;
              if (!fn || !handoffs.has(fn)) return undefined;
              return errorResponse(
                500,
                'ServiceException',
                `${fn}: hand-off made to fail by \`fanout local fail --handoff\``,
              );
            },
          },
    );
  }
}
