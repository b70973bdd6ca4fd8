import { Matrix, definePlugin, mean } from '@nmflab/core';

/**
 * Seeded random start with scikit-learn's scaling: every entry |N(0,1)|·√(mean(V)/K), so that WH
 * has the data's mean level. Draw order: all of W (row-major), then all of H.
 */
export default definePlugin({
  meta: {
    kind: 'initializer',
    id: 'random',
    description: 'Seeded |N(0,1)|·sqrt(mean(V)/K) entries (scikit-learn scaling)',
    params: {},
  },
  create: () => ({
    id: 'random',
    init(V, K, rng) {
      const scale = Math.sqrt(mean(V) / K);
      const W = new Matrix(V.rows, K);
      const H = new Matrix(K, V.cols);
      for (const X of [W, H]) for (let i = 0; i < X.data.length; i++) X.data[i] = scale * Math.abs(rng.normal());
      return { W, H };
    },
  }),
});
