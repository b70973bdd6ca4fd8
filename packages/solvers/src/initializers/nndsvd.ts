import { definePlugin } from '@nmflab/core';
import { nndsvd } from '../nndsvd.js';

/** NNDSVD (Boutsidis & Gallopoulos 2008) on the leading singular triplets (Gram eigendecomposition, deterministic); small values set to 0. See `src/nndsvd.ts`. */
export default definePlugin({
  meta: {
    kind: 'initializer',
    id: 'nndsvd',
    description:
      'NNDSVD (Boutsidis & Gallopoulos 2008) on the leading singular triplets (Gram eigendecomposition, deterministic); small values set to 0',
    params: {},
  },
  create: () => ({ id: 'nndsvd', init: (V, K, rng, hooks) => nndsvd(V, K, 'none', rng, hooks) }),
});
