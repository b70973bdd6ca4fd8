import { definePlugin } from '@nmflab/core';
import { makeBetaDivergence } from '../beta-divergence.js';

/**
 * Half squared Euclidean distance d(x|y) = ½(x − y)² (β = 2; Bregman generator φ(y) = y²/2):
 * Gaussian noise with unit variance, −log p = d + ½ log 2π per entry. φ″ = 1, MM exponent 1,
 * d(λx|λy) = λ²d(x|y); defined for any non-negative data.
 */
export default definePlugin({
  meta: {
    kind: 'divergence',
    id: 'euclidean',
    description: 'half squared Euclidean distance ½(V − WH)² (β = 2, Gaussian noise)',
    params: {},
  },
  create: (_p, ctx) => makeBetaDivergence({ id: 'euclidean', beta: 2 }, ctx),
});
