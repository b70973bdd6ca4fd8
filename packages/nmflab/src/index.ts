// The entry package: one import gives the whole library.
export * from '@nmflab/core';
export * from '@nmflab/divergences';
export * from '@nmflab/solvers';
export * from '@nmflab/tasks';
export { buildRegistry, builtinModules, createRunEnv, packageVersions } from './registry.js';
export { pluginPage } from './docs.js';
