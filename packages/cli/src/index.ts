export { main, reportError } from './main.js';
export { buildRegistry, builtinModules, createRunEnv, packageVersions } from './container.js';
