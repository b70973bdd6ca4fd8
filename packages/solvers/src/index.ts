import { pluginModule, type AnyPlugin } from '@nmflab/core';
import complexNmf from './solvers/complex-nmf.js';
import plsa from './solvers/plsa.js';
import sparseCoding from './solvers/sparse-coding.js';

/** Every solver and initializer plugin of this package: one import and one line each. */
export const solverPlugins: AnyPlugin[] = [
  complexNmf,
  plsa,
  sparseCoding,
];

/** inversify module registering the plugins above. */
export const solversModule = pluginModule(solverPlugins);
