import { Matrix } from '../matrix.js';
import { matmulNTOn, matmulOn, matmulTNOn, type MatmulBackend } from '../kernels.js';
import type { KernelBackend, MuKernels } from '../kernel-backend.js';

/**
 * The `js` kernel backend: `MuKernels` (kernel-backend.ts) in plain loops, products by the JS
 * blocked GEMM. The reference the `wasm` backend matches bit for bit.
 */

/** `MuKernels.betaWeights` in JS (also the `wasm` backend's: the fused WASM pass has its own copy). */
export function betaWeightsJs(code: 0 | 1, L: Float64Array, V: Float64Array, A: Float64Array, B: Float64Array, delta: number): void {
  const n = L.length;
  if (code === 1) {
    for (let i = 0; i < n; i++) {
      const l = L[i]!;
      A[i] = V[i]! / (l > delta ? l : delta);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const l = L[i]!;
      const r = 1 / (l > delta ? l : delta);
      B[i] = r;
      A[i] = r * r * V[i]!; // the masked path's order, so an all-ones mask changes no bit
    }
  }
}

/** `MuKernels.applyRatio` in JS: one tight loop per γ, no `Math.pow`. */
export function applyRatioJs(gammaCode: 1 | 2, X: Float64Array, num: Float64Array, den: Float64Array, eps: number): void {
  const n = X.length;
  if (gammaCode === 1) {
    for (let i = 0; i < n; i++) {
      const d = den[i]!;
      const x = X[i]! * (num[i]! / (d > 0 ? d : eps));
      X[i] = x > eps ? x : eps;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const d = den[i]!;
      const x = X[i]! * Math.sqrt(num[i]! / (d > 0 ? d : eps));
      X[i] = x > eps ? x : eps;
    }
  }
}

/** Ordinary matrices for every shape. */
export function allocatePlain<N extends string>(shapes: Readonly<Record<N, readonly [number, number]>>): Record<N, Matrix> {
  return Object.fromEntries(Object.entries(shapes).map(([k, v]) => {
    const [r, c] = v as readonly [number, number];
    return [k, new Matrix(r, c)];
  })) as Record<N, Matrix>;
}

const cache = new Map<MatmulBackend, KernelBackend>();

/** The `js` backend; `products` is the product dispatch it binds (`js`, or `auto` on an engine without WASM). */
export function jsBackend(products: MatmulBackend): KernelBackend {
  let b = cache.get(products);
  if (!b) {
    const mu: MuKernels = {
      backend: 'js',
      matmul: (A, B, out) => matmulOn(products, A, B, out),
      matmulTN: (A, B, out) => matmulTNOn(products, A, B, out),
      matmulNT: (A, B, out) => matmulNTOn(products, A, B, out),
      allocate: allocatePlain,
      betaWeights: betaWeightsJs,
      fused: null,
      applyRatio: applyRatioJs,
    };
    b = { name: 'js', mu };
    cache.set(products, b);
  }
  return b;
}
