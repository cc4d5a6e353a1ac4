export { type ChaosTarget, type Injector, startInjector } from './injector.js';
export type { Attribution, FaultCounts } from './log.js';
export { type ChaosPlan, defaultPlan, FAULT_DESCRIPTIONS, FAULTS, type Fault, parseFaults } from './plan.js';
export { faultStream, pickPoints, seededRandom } from './prng.js';
export { type FaultProxy, passThrough, startFaultProxy } from './proxy.js';
export { renderChaosReport } from './render.js';
export { type ChaosOptions, type ChaosReport, runChaos } from './run.js';
