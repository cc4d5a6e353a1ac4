import type { Section } from '../support/section.js';
import { baselineSection } from './baseline.js';
import { coldStartSection } from './cold-start.js';
import { dispatcherSection } from './dispatcher.js';
import { endToEndSection } from './end-to-end.js';
import { headOfLineSection } from './head-of-line.js';
import { idempotencySection } from './idempotency.js';
import { sdkCallsSection } from './sdk-calls.js';

/**
 * Every section, in issue 6's order (its numbers are in the table titles). The local-mode sections
 * (head-of-line isolation, end-to-end) start local mode of their own (emulators, runtime, receiver). The last
 * one, sdk-calls, is not in issue 6: the CPU time per warm SDK call of a worker, against emulators of its own.
 */
export const SECTIONS: readonly Section[] = [
  dispatcherSection,
  baselineSection,
  headOfLineSection,
  endToEndSection,
  coldStartSection,
  idempotencySection,
  sdkCallsSection,
];
