import { pluginModule, type AnyPlugin } from '@nmflab/core';
import beta from './divergences/beta.js';
import euclidean from './divergences/euclidean.js';
import is from './divergences/is.js';
import kl from './divergences/kl.js';

export * from './beta-math.js';
export { makeBetaDivergence } from './beta-divergence.js';

/** Every divergence and regularizer plugin of this package: one import and one line each. */
export const divergencePlugins: AnyPlugin[] = [
  euclidean,
  kl,
  is,
  beta,
];

/** inversify module registering the plugins above. */
export const divergencesModule = pluginModule(divergencePlugins);
