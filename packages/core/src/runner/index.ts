export * from './provenance.js';
export * from './files.js';
export * from './execute.js';
export * from './experiment.js';
export * from './compare.js';
export * from './compare-runs.js';
export * from './aggregate.js';
export * from './comparison.js';
