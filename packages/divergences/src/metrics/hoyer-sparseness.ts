import { NmflabError, definePlugin, type Matrix, type MetricValue } from '@nmflab/core';

/**
 * Hoyer (2004) sparseness s(x) = (√n − ‖x‖₁/‖x‖₂)/(√n − 1) ∈ [0, 1] (1: one non-zero entry,
 * 0: all entries equal in magnitude), per column of W (n = F) and per row of H (n = N), and
 * their means. An all-zero vector has no non-zero entry and counts as 1.
 */
export function hoyer(x: ArrayLike<number>, start: number, stride: number, n: number): number {
  let l1 = 0, l2 = 0;
  for (let i = 0, j = start; i < n; i++, j += stride) {
    const v = Math.abs(x[j]!);
    l1 += v;
    l2 += v * v;
  }
  if (l2 === 0) return 1;
  const r = Math.sqrt(n);
  // Clamp: rounding can push ‖x‖₁/‖x‖₂ a hair outside [1, √n].
  return Math.min(1, Math.max(0, (r - l1 / Math.sqrt(l2)) / (r - 1)));
}

function need(M: Matrix, name: string, dim: number): void {
  if (dim < 2) {
    throw new NmflabError(`Hoyer sparseness needs vectors of length ≥ 2`, { path: name, expected: 'at least 2 entries per vector', found: `${M.rows}×${M.cols}` });
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
      if (!W && !H) throw new NmflabError('hoyer-sparseness needs W or H', { expected: 'a factorization (W and/or H)', found: 'neither' });
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
