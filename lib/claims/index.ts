export { lazyS3ClaimStore } from './lazy.js';
export { s3ClaimStore } from './s3.js';
export { ClaimCheckError, type ClaimStore } from './types.js';
