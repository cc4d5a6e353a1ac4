export { lazyS3ClaimCheckStore } from './lazy.js';
export { s3ClaimCheckStore } from './s3.js';
export { ClaimCheckError, type ClaimCheckStore } from './types.js';
