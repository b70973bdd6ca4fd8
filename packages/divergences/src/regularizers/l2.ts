import { definePlugin } from '@nmflab/core';
import { makeLpPenalty, penaltyParams } from '../lp-penalty.js';

/**
 * L2 (ridge) penalty r(X) = ½λΣx² on W or H (gradient λx: "add λH to the MU denominator", exact
 * MM at β = 2). Its majorizer is itself (q = λ/2, l = 0).
 */
export default definePlugin({
  meta: {
    kind: 'regularizer',
    id: 'l2',
    description: 'L2 (ridge) penalty ½λΣx² on W or H',
    params: { lambda: penaltyParams.lambda, target: penaltyParams.target },
  },
  create: (p: { lambda: number; target: 'W' | 'H' }) =>
    makeLpPenalty({ id: 'l2', lambda: p.lambda, target: p.target, p: 2, c: 0.5 }),
});
