import type { Section } from '../support/section.js';
import { baselineSection } from './baseline.js';
import { coldStartSection } from './cold-start.js';
import { dispatcherSection } from './dispatcher.js';
import { idempotencySection } from './idempotency.js';

/**
 * Every section, in issue 6's order (its numbers are in the table titles). The local-mode sections
 * (head-of-line isolation, end-to-end) go between the baseline and cold start.
 */
export const SECTIONS: readonly Section[] = [
  dispatcherSection,
  baselineSection,
  coldStartSection,
  idempotencySection,
];
