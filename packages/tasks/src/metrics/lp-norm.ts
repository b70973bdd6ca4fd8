import { NmflabError, definePlugin, type MetricValue } from '@nmflab/core';

/**
 * ‖x‖_p = (Σ|x_i|^p)^{1/p} (a quasi-norm for p < 1) of each column of W and each row of H, and of
 * the whole factors; with `power: true` the penalty form Σ|x_i|^p instead (what an lp
 * regularizer with λ = 1 adds to the objective).
 */
export default definePlugin({
  meta: {
    kind: 'metric',
    id: 'lp-norm',
    description: 'Lp norm (Σ|x|^p)^(1/p) of each column of W, each row of H and of the whole factors',
    params: {
      p: {
        description: 'exponent p > 0 (1: sum of magnitudes, 2: Euclidean norm)',
        type: 'number',
        default: 1,
        exclusiveMinimum: 0,
      },
      power: {
        description: 'report Σ|x|^p (the penalty value) instead of its p-th root',
        type: 'boolean',
        default: false,
      },
    },
  },
  create: (params: { p: number; power: boolean }) => {
    const { p, power } = params;
    const fin = (s: number) => (power ? s : Math.pow(s, 1 / p));
    const acc = (data: Float64Array, start: number, stride: number, n: number) => {
      let s = 0;
      for (let i = 0, j = start; i < n; i++, j += stride)
        s += p === 1 ? Math.abs(data[j]) : Math.pow(Math.abs(data[j]), p);
      return s;
    };
    return {
      id: 'lp-norm',
      compute(input) {
        const { W, H } = input;
        if (!W && !H)
          throw new NmflabError('lp-norm needs W or H', { expected: 'a factorization (W and/or H)', found: 'neither' });
        const out: Record<string, MetricValue> = {};
        if (W) {
          const cols = Array.from({ length: W.cols }, (_, k) => acc(W.data, k, W.cols, W.rows));
          out.W = cols.map(fin);
          out.W_total = fin(cols.reduce((a, b) => a + b, 0));
        }
        if (H) {
          const rows = Array.from({ length: H.rows }, (_, k) => acc(H.data, k * H.cols, 1, H.cols));
          out.H = rows.map(fin);
          out.H_total = fin(rows.reduce((a, b) => a + b, 0));
        }
        return out;
      },
    };
  },
});
