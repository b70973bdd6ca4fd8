import { pluginModule, type AnyPlugin } from '@nmflab/core';
import beta from './divergences/beta.js';
import binomial from './divergences/binomial.js';
import bregman from './divergences/bregman.js';
import euclidean from './divergences/euclidean.js';
import is from './divergences/is.js';
import kl from './divergences/kl.js';
import l1 from './regularizers/l1.js';
import l2 from './regularizers/l2.js';
import lp from './regularizers/lp.js';

export * from './beta-math.js';
export { makeBetaDivergence } from './beta-divergence.js';
export { compileGenerator, type Generator } from './generator.js';
export { makeLpPenalty } from './lp-penalty.js';
// The exact penalized MM step lives in core (the mu solver uses it too; solvers do not depend on this package).
export { penalizedMMStep } from '@nmflab/core';

/** Every divergence and regularizer plugin of this package: one import and one line each. */
export const divergencePlugins: AnyPlugin[] = [beta, binomial, bregman, euclidean, is, kl, l1, l2, lp];

/** inversify module registering the plugins above. */
export const divergencesModule = pluginModule(divergencePlugins);
