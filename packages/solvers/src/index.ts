import { pluginModule, type AnyPlugin } from '@nmflab/core';
import custom from './initializers/custom.js';
import nndsvd from './initializers/nndsvd.js';
import nndsvda from './initializers/nndsvda.js';
import nndsvdar from './initializers/nndsvdar.js';
import random from './initializers/random.js';
import randomVcol from './initializers/random-vcol.js';
import complexNmf from './solvers/complex-nmf.js';
import hals from './solvers/hals.js';
import mu from './solvers/mu.js';
import onlineMu from './solvers/online-mu.js';
import plsa from './solvers/plsa.js';
import sparseCoding from './solvers/sparse-coding.js';

export { HalsSolver, type HalsOptions, type HalsState } from './solvers/hals.js';
export {
  OnlineMuSolver,
  MiniBatchEngine,
  type OnlineMuOptions,
  type OnlineMuState,
  type StreamResult,
} from './solvers/online-mu.js';
export { MuSolver, SKLEARN_EPS, type MuOptions, type MuState, type MuMode } from './solvers/mu.js';
export { nndsvd as nndsvdFactors } from './nndsvd.js';

/** Every solver and initializer plugin of this package: one import and one line each. */
export const solverPlugins: AnyPlugin[] = [
  custom,
  nndsvd,
  nndsvda,
  nndsvdar,
  random,
  randomVcol,
  complexNmf,
  hals,
  mu,
  onlineMu,
  plsa,
  sparseCoding,
];

/** inversify module registering the plugins above. */
export const solversModule = pluginModule(solverPlugins);
