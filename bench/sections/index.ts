import type { Section } from '../support/section.js';
import { baselineSection } from './baseline.js';
import { coldStartSection } from './cold-start.js';
import { dispatcherSection } from './dispatcher.js';
import { endToEndSection } from './end-to-end.js';
import { headOfLineSection } from './head-of-line.js';
import { idempotencySection } from './idempotency.js';

/**
 * Every section, in issue 6's order (its numbers are in the table titles). The local-mode sections
 * (head-of-line isolation, end-to-end) start local mode of their own (emulators, runtime, receiver).
 */
export const SECTIONS: readonly Section[] = [
  dispatcherSection,
  baselineSection,
  headOfLineSection,
  endToEndSection,
  coldStartSection,
  idempotencySection,
];
