import { definePlugin } from '@nmflab/core';
import { nndsvd } from '../nndsvd.js';

/** NNDSVD with zeros filled by |N(0,1)|·mean(V)/100 (seeded). See `src/nndsvd.ts`. */
export default definePlugin({
  meta: {
    kind: 'initializer',
    id: 'nndsvdar',
    description: 'NNDSVD with zeros filled by |N(0,1)|·mean(V)/100 (seeded)',
    params: {},
  },
  create: () => ({ id: 'nndsvdar', init: (V, K, rng, hooks) => nndsvd(V, K, 'random', rng, hooks) }),
});
