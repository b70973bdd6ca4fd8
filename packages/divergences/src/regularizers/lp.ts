import { definePlugin } from '@nmflab/core';
import { makeLpPenalty, penaltyParams } from '../lp-penalty.js';

/**
 * Lp penalty r(X) = λΣ|x|^p, 0 < p ≤ 2, on W or H (reference §2b): tangent-line majorizer for
 * p ≤ 1 (q = 0, l = λp x̄^{p−1}, x̄ floored at eps), Kameoka's quadratic bound for 1 < p < 2
 * (q = λ(p/2)x̄^{p−2}), exact at p = 2 (q = λ). Needs the other factor normalized.
 */
export default definePlugin({
  meta: {
    kind: 'regularizer',
    id: 'lp',
    description: 'Lp penalty λΣ|x|^p (0 < p ≤ 2) on W or H, majorized for multiplicative updates',
    params: {
      p: {
        description: 'exponent p, 0 < p ≤ 2 (p < 1 promotes sparsity most)',
        type: 'number',
        default: 0.5,
        exclusiveMinimum: 0,
        maximum: 2,
      },
      lambda: penaltyParams.lambda,
      target: penaltyParams.target,
      eps: penaltyParams.eps,
    },
  },
  create: (p: { p: number; lambda: number; target: 'W' | 'H'; eps: number }) =>
    makeLpPenalty({ id: 'lp', lambda: p.lambda, target: p.target, p: p.p, eps: p.eps }),
});
