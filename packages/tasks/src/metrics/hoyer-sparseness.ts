import { NmflabError, definePlugin, type Matrix, type MetricValue } from '@nmflab/core';
import { hoyerSparseness as hoyer } from '../evaluation/measures.js';

/** Hoyer (2004) sparseness per column of W (n = F) and per row of H (n = N), and their means (`evaluation/measures.ts`). */
function need(M: Matrix, name: string, dim: number): void {
  if (dim < 2) {
    throw new NmflabError(`Hoyer sparseness needs vectors of length ≥ 2`, {
      path: name,
      expected: 'at least 2 entries per vector',
      found: `${M.rows}×${M.cols}`,
    });
  }
}

export default definePlugin({
  meta: {
    kind: 'metric',
    id: 'hoyer-sparseness',
    description: 'Hoyer sparseness (√n − ‖x‖₁/‖x‖₂)/(√n − 1) of each column of W and row of H, and the means',
    params: {},
  },
  create: () => ({
    id: 'hoyer-sparseness',
    compute(input) {
      const { W, H } = input;
      if (!W && !H)
        throw new NmflabError('hoyer-sparseness needs W or H', {
          expected: 'a factorization (W and/or H)',
          found: 'neither',
        });
      const out: Record<string, MetricValue> = {};
      if (W) {
        need(W, 'W', W.rows);
        const cols = Array.from({ length: W.cols }, (_, k) => hoyer(W.data, k, W.cols, W.rows));
        out.W = cols;
        out.W_mean = cols.reduce((a, b) => a + b, 0) / cols.length;
      }
      if (H) {
        need(H, 'H', H.cols);
        const rows = Array.from({ length: H.rows }, (_, k) => hoyer(H.data, k * H.cols, 1, H.cols));
        out.H = rows;
        out.H_mean = rows.reduce((a, b) => a + b, 0) / rows.length;
      }
      return out;
    },
  }),
});
