export * from './compose.js';
export * from './schema.js';
export * from './sweep.js';
export * from './load.js';
