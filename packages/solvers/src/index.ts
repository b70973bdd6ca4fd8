import { pluginModule, type AnyPlugin } from '@nmflab/core';
import complexNmf from './solvers/complex-nmf.js';

/** Every solver and initializer plugin of this package: one import and one line each. */
export const solverPlugins: AnyPlugin[] = [
  complexNmf,
];

/** inversify module registering the plugins above. */
export const solversModule = pluginModule(solverPlugins);
