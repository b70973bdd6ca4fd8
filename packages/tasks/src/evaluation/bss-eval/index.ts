// BSS Eval by concern: shared constants and results, input checks, the projection onto delayed
// references, the permutation search, then the three measures built on them.
export * from './common.js';
export * from './validate.js';
export * from './projection.js';
export * from './permutation.js';
export * from './sources.js';
export * from './images.js';
export * from './si-sdr.js';
