import { matmulNTOn, matmulOn, matmulTNOn, type MatmulBackend } from '../kernels.js';
import { nativeMuKernelsRaw } from './native.js';
import type { KernelBackend, MuKernels } from '../kernel-backend.js';
import { allocateWorkspace } from './mu-wasm.js';
import { betaObjectiveJs } from './mu-js.js';

/**
 * The `native` kernel backend: `MuKernels` (kernel-backend.ts) by the OpenBLAS addon
 * (`native/nmflab_blas.c`): products by cblas_dgemm (under `auto`, those below NATIVE_MIN_WORK in
 * WASM), the element-wise passes and fused β = 1 / β = 0 passes in C. The matrices live in one
 * WebAssembly memory (the addon reads it directly), so small products still run in place.
 */

const cache = new Map<MatmulBackend, KernelBackend>();

/** The `native` backend with the product dispatch `products` (`native` or `auto`). Needs the addon. */
export function nativeBackend(products: MatmulBackend): KernelBackend {
  const nk = nativeMuKernelsRaw;
  if (!nk) throw new RangeError('the native OpenBLAS backend is not built or did not load');
  let b = cache.get(products);
  if (!b) {
    const mu: MuKernels = {
      backend: 'native',
      matmul: (A, B, out) => matmulOn(products, A, B, out),
      matmulTN: (A, B, out) => matmulTNOn(products, A, B, out),
      matmulNT: (A, B, out) => matmulNTOn(products, A, B, out),
      allocate: allocateWorkspace,
      betaWeights: (code, L, V, A, B, delta) => nk.muWeights(code, L, V, A, B, delta),
      objective: betaObjectiveJs,
      // S and Bs are not needed: the addon keeps its own per-thread block scratch.
      fusedScratch: () => 0,
      fused: (code, side, F, N, K, V, W, H, num, den, _S, _Bs, delta, objective) =>
        objective
          ? nk.muFused(code, side, F, N, K, V.data, W.data, H.data, num.data, den.data, delta, objective)
          : nk.muFused(code, side, F, N, K, V.data, W.data, H.data, num.data, den.data, delta),
      applyRatio: (gammaCode, X, num, den, eps) => nk.muApply(gammaCode, X, num, den, eps),
    };
    b = { name: 'native', mu };
    cache.set(products, b);
  }
  return b;
}
