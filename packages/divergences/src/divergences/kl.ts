import { definePlugin } from '@nmflab/core';
import { epsParam, makeBetaDivergence } from '../beta-divergence.js';

/**
 * Generalized Kullback–Leibler (I-) divergence d(x|y) = x log(x/y) − x + y (β = 1; φ(y) = y log y − y):
 * Poisson noise, −log p = d + log Γ(x+1) − x log x + x per entry. φ″(y) = 1/y, MM exponent 1,
 * d(λx|λy) = λ d(x|y); d(0|y) = y.
 */
export default definePlugin({
  meta: {
    kind: 'divergence',
    id: 'kl',
    description: 'generalized Kullback–Leibler (I-)divergence V log(V/WH) − V + WH (β = 1, Poisson noise)',
    params: { eps: epsParam },
  },
  create: (p: { eps: number }, ctx) => makeBetaDivergence({ id: 'kl', beta: 1, eps: p.eps }, ctx),
});
