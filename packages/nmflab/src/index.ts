/**
 * nmflab: non-negative matrix factorization for research, as a library. One import gives the
 * estimators ({@link NMF}, {@link ComplexNMF}, {@link PLSA}, {@link SparseCoding}, the generic
 * {@link Estimator}), the pipelines ({@link stft}, {@link istft}, {@link separate},
 * {@link bssEval}, {@link runExperiment}) and everything of @nmflab/core, divergences, solvers and
 * tasks (matrices, plugin contracts, the registry, every built-in plugin).
 *
 * Notation: V (F×N) ≈ W (F×K) H (K×N); scikit-learn's X is Vᵀ.
 *
 * @packageDocumentation
 * @module nmflab
 */
export * from '@nmflab/core';
export * from '@nmflab/divergences';
export * from '@nmflab/solvers';
export * from '@nmflab/tasks';
export { buildRegistry, builtinModules, createRegistry, createRunEnv, packageVersions } from './registry.js';
export { pluginPage } from './docs.js';
export { toMatrix, type DataInput, type MatrixInput } from './matrix-input.js';
export {
  COMMON_PARAMS,
  ComplexNMF,
  Estimator,
  NMF,
  PLSA,
  SparseCoding,
  type CommonOptions,
  type ComplexNMFOptions,
  type EstimatorOptions,
  type FitControl,
  type NMFOptions,
  type PLSAOptions,
  type EstimatorSpec,
  type SavedModel,
  type SparseCodingOptions,
} from './estimator.js';
// runExperiment here (path or config object, run records back) takes the place of core's.
export {
  bssEval,
  loadSource,
  runExperiment,
  separate,
  type ExperimentRun,
  type RunExperimentOptions,
  type SeparateOptions,
  type Separation,
  type Signal,
} from './pipelines.js';
