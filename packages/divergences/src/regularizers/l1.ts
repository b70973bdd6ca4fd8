import { definePlugin } from '@nmflab/core';
import { makeLpPenalty, penaltyParams } from '../lp-penalty.js';

/**
 * L1 sparsity penalty r(X) = λΣ|x| on W or H. On non-negative factors it is linear, so its
 * majorizer is itself (q = 0, l = λ): adding λ to the MU denominator is exact MM for β ≤ 1 (and,
 * with the quadratic bound q = λ/(2x̄), at β = 2, i.e. Hoyer's NNSC update). Needs the other
 * factor's columns normalized.
 */
export default definePlugin({
  meta: {
    kind: 'regularizer',
    id: 'l1',
    description: 'L1 sparsity penalty λΣ|x| on W or H (needs the other factor normalized)',
    params: { lambda: penaltyParams.lambda, target: penaltyParams.target, eps: penaltyParams.eps },
  },
  create: (p: { lambda: number; target: 'W' | 'H'; eps: number }) =>
    makeLpPenalty({ id: 'l1', lambda: p.lambda, target: p.target, p: 1, eps: p.eps }),
});
