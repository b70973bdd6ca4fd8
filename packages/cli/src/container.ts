// The worker-thread setup module of `nmflab run` (runner option workerSetupModule): it exports
// createRunEnv, so each worker builds the same registry as the main thread.
export { buildRegistry, builtinModules, createRunEnv, packageVersions } from 'nmflab';
