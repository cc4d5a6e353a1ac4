export { ClaimCheckError } from './errors.js';
export { lazyS3ClaimCheckStore } from './lazy.js';
export { s3ClaimCheckStore } from './s3.js';
export type { ClaimCheckStore } from './types.js';
