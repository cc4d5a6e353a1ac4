import type { InjectorDeps } from './injector-deps.js';
import type { FaultLog } from './log.js';
import type { Fault } from './plan.js';
import type { Random } from './prng.js';
import type { WorkerDeaths } from './worker-deaths.js';

/** What installing a family of faults works with. */
export interface Injection {
  deps: InjectorDeps;
  log: FaultLog;
  deaths: WorkerDeaths;
  on: (fault: Fault) => boolean;
  /** The seeded stream of one fault. */
  rng: (name: string) => Random;
  /** False once `stop()` began: no new fault strikes. */
  active: () => boolean;
}
