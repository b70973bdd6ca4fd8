import { matmul } from '@nmflab/core';
import { Matrix } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';

interface Params {
  rows: number;
  cols: number;
  rank: number;
  noise: number;
  floor: number;
}

/**
 * V = W H (+ noise) from known non-negative factors, drawn from the run's stream:
 * W_fk, H_kn ~ Exponential(1) (i.i.d., −log u); then V ← max(V + σ·mean(V)·ε, 0) + floor with
 * ε ~ N(0, 1) i.i.d. The true W, H and the noiseless product are kept as ground truth in `extra`.
 */
export default definePlugin<'source', Params>({
  meta: {
    kind: 'source',
    id: 'synthetic-lowrank',
    description: 'Seeded V = W H (+ noise) from known non-negative factors (kept as ground truth)',
    params: {
      rows: { type: 'integer', minimum: 1, default: 64, description: 'F, rows of V' },
      cols: { type: 'integer', minimum: 1, default: 100, description: 'N, columns of V' },
      rank: { type: 'integer', minimum: 1, default: 5, description: 'true rank of the factors' },
      noise: {
        type: 'number',
        minimum: 0,
        default: 0,
        description: 'Gaussian noise sd relative to mean(W H); negative entries clipped to 0',
      },
      floor: {
        type: 'number',
        minimum: 0,
        default: 0,
        description: 'constant added to every entry (keeps V > 0 for β ≤ 0)',
      },
    },
  },
  create: (p) => ({
    id: 'synthetic-lowrank',
    load(rng) {
      const W = new Matrix(p.rows, p.rank);
      const H = new Matrix(p.rank, p.cols);
      const draw = (m: Matrix) => {
        for (let i = 0; i < m.data.length; i++) m.data[i] = -Math.log(1 - rng.uniform());
      };
      draw(W);
      draw(H);
      const clean = matmul(W, H);
      const V = new Matrix(p.rows, p.cols, clean.data.slice());
      if (p.noise > 0) {
        let mean = 0;
        for (const x of clean.data) mean += x;
        const sd = (p.noise * mean) / clean.data.length;
        for (let i = 0; i < V.data.length; i++) V.data[i] = Math.max(V.data[i] + sd * rng.normal(), 0);
      }
      if (p.floor > 0) for (let i = 0; i < V.data.length; i++) V.data[i] += p.floor;
      return { matrix: V, extra: { trueW: W, trueH: H, clean } };
    },
  }),
});
