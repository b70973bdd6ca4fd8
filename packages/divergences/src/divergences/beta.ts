import { definePlugin } from '@nmflab/core';
import { epsParam, makeBetaDivergence } from '../beta-divergence.js';

/**
 * The β-divergence for any real β (reference §2.0):
 *   d_β(x|y) = [x^β + (β−1)y^β − βxy^{β−1}] / [β(β−1)],  β = 1: KL,  β = 0: Itakura–Saito,
 * continuous in β (β = 0 and β = 1 exact special cases, cancellation-free near x = y and near
 * β ∈ {0, 1}). ∂d/∂y = y^{β−2}(y − x), φ″(y) = y^{β−2}, d(λx|λy) = λ^β d(x|y), MM exponent γ(β),
 * Tweedie noise with power p = 2 − β. `dual: true` gives d_β(Λ|V) (dual KL at β = 1, dual IS at
 * β = 0), for which the MU weight and MM exponent are undefined.
 */
export default definePlugin({
  meta: {
    kind: 'divergence',
    id: 'beta',
    description: 'β-divergence d_β(V|WH) for any real β (2 Euclidean, 1 KL, 0 Itakura–Saito), optionally dual',
    params: {
      beta: {
        description: 'β (2 Euclidean, 1 generalized KL, 0 Itakura–Saito; any real number)',
        type: 'number',
        default: 1,
      },
      dual: {
        description: 'evaluate the left-argument (dual) divergence d_β(WH|V) instead of d_β(V|WH)',
        type: 'boolean',
        default: false,
      },
      eps: epsParam,
    },
  },
  create: (p: { beta: number; dual: boolean; eps: number }, ctx) =>
    makeBetaDivergence({ id: 'beta', beta: p.beta, dual: p.dual, eps: p.eps }, ctx),
});
