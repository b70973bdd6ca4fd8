import { definePlugin } from '@nmflab/core';
import { epsParam, makeBetaDivergence } from '../beta-divergence.js';

/**
 * Itakura–Saito divergence d(x|y) = x/y − log(x/y) − 1 (β = 0; φ(y) = −log y): exponential noise
 * (Gamma, shape 1) on power spectra, −log p = d + log x + 1 per entry. Scale-invariant
 * (d(λx|λy) = d(x|y)), φ″(y) = 1/y², MM exponent ½. Undefined at zero data: set eps > 0 to add ε
 * to data and model, otherwise zero data entries are rejected.
 */
export default definePlugin({
  meta: {
    kind: 'divergence',
    id: 'is',
    description: 'Itakura–Saito divergence V/WH − log(V/WH) − 1 (β = 0, exponential noise on power spectra)',
    params: { eps: epsParam },
  },
  create: (p: { eps: number }, ctx) => makeBetaDivergence({ id: 'is', beta: 0, eps: p.eps }, ctx),
});
