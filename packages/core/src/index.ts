export * from './errors.js';
export * from './matrix.js';
export * from './kernels.js';
export * from './rng.js';
export * from './params.js';
export * from './plugin.js';
export * from './registry.js';
export * from './builtin.js';
