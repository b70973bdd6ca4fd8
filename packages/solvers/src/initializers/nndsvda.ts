import { definePlugin } from '@nmflab/core';
import { nndsvd } from '../nndsvd.js';

/** NNDSVD with zeros filled by mean(V). See `src/nndsvd.ts`. */
export default definePlugin({
  meta: { kind: 'initializer', id: 'nndsvda', description: 'NNDSVD with zeros filled by mean(V)', params: {} },
  create: () => ({ id: 'nndsvda', init: (V, K, rng, hooks) => nndsvd(V, K, 'mean', rng, hooks) }),
});
