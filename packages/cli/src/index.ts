export { main, reportError } from './main.js';
export { buildRegistry, builtinModules } from './container.js';
