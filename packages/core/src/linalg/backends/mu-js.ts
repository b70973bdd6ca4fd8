import { Matrix } from '../matrix.js';
import { matmulNTOn, matmulOn, matmulTNOn, type MatmulBackend } from '../kernels.js';
import type { KernelBackend, MuKernels } from '../kernel-backend.js';
import { fusedBlocks } from './wasm.js';

/**
 * The `js` kernel backend: `MuKernels` (kernel-backend.ts) in plain loops, products by the JS
 * blocked GEMM. The reference the `wasm` backend matches bit for bit.
 */

/** `MuKernels.betaWeights` in JS (also the `wasm` backend's: the fused WASM pass has its own copy). */
export function betaWeightsJs(code: 0 | 1, L: Float64Array, V: Float64Array, A: Float64Array, B: Float64Array, delta: number): void {
  const n = L.length;
  if (code === 1) {
    for (let i = 0; i < n; i++) {
      const l = L[i];
      A[i] = V[i] / (l > delta ? l : delta);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const l = L[i];
      const r = 1 / (l > delta ? l : delta);
      B[i] = r;
      A[i] = r * r * V[i]; // the masked path's order, so an all-ones mask changes no bit
    }
  }
}

/** `MuKernels.applyRatio` in JS: one tight loop per γ, no `Math.pow`. */
export function applyRatioJs(gammaCode: 1 | 2, X: Float64Array, num: Float64Array, den: Float64Array, eps: number): void {
  const n = X.length;
  if (gammaCode === 1) {
    for (let i = 0; i < n; i++) {
      const d = den[i];
      const x = X[i] * (num[i] / (d > 0 ? d : eps));
      X[i] = x > eps ? x : eps;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const d = den[i];
      const x = X[i] * Math.sqrt(num[i] / (d > 0 ? d : eps));
      X[i] = x > eps ? x : eps;
    }
  }
}

// logPos: the same operations as assembly/gemm.ts's, so the js and wasm objectives agree bit for bit.
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const SQRT2 = 1.4142135623730951;
const bitsF = new Float64Array(1);
const bitsU = new Uint32Array(bitsF.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the high word's index

/** Natural log of a positive finite x to about 1 ulp (see `logPos` in assembly/gemm.ts). */
export function logPos(x: number): number {
  let e = 0;
  if (x < 2.2250738585072014e-308) { x *= 18014398509481984.0; e = -54; }
  bitsF[0] = x;
  const hi = bitsU[HI];
  e += ((hi >>> 20) & 0x7ff) - 1023;
  bitsU[HI] = (hi & 0x000fffff) | 0x3ff00000;
  let m = bitsF[0];
  if (m > SQRT2) { m *= 0.5; e += 1; }
  const f = m - 1.0;
  const s = f / (2.0 + f);
  const z = s * s;
  let p = 0.043478260869565216;
  p = p * z + 0.047619047619047616;
  p = p * z + 0.05263157894736842;
  p = p * z + 0.058823529411764705;
  p = p * z + 0.06666666666666667;
  p = p * z + 0.07692307692307693;
  p = p * z + 0.09090909090909091;
  p = p * z + 0.1111111111111111;
  p = p * z + 0.14285714285714285;
  p = p * z + 0.2;
  p = p * z + 0.3333333333333333;
  const lm = 2.0 * s + 2.0 * s * (z * p);
  return e * LN2_HI + (e * LN2_LO + lm);
}

/** Σ d(V|Λ) on one block (row-major, rows×cols at offset o, row stride N), as `muObjective` in assembly/gemm.ts. */
function blockObjective(code: 0 | 1, rows: number, cols: number, o: number, N: number, V: Float64Array, L: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const b = o + i * N;
    for (let j = 0; j < cols; j++) {
      const x = V[b + j], y = L[b + j];
      if (!(y > 0) || !(y < Infinity)) return NaN;
      if (code === 1) {
        if (x === 0) { sum += y; continue; }
        const r = x / y;
        if (!(r > 0) || !(r < Infinity)) return NaN;
        sum += x * logPos(r) - x + y;
      } else {
        const r = x / y;
        if (!(r > 0) || !(r < Infinity)) return NaN;
        sum += r - logPos(r) - 1.0;
      }
    }
  }
  return sum;
}

/**
 * `MuKernels.objective` in JS: Σ d(V|Λ) (KL / IS) from a whole Λ (F×N), block sums in the order of
 * the `wasm` backend's fused pass on `side`, so both backends record the same objective.
 */
export function betaObjectiveJs(code: 0 | 1, side: 0 | 1, F: number, N: number, V: Float64Array, L: Float64Array): number {
  const { R, Cn, C } = fusedBlocks(F, N);
  let obj = 0;
  if (side === 0) {
    for (let f0 = 0; f0 < F; f0 += R) {
      const r = Math.min(R, F - f0);
      for (let n0 = 0; n0 < N; n0 += Cn) obj += blockObjective(code, r, Math.min(Cn, N - n0), f0 * N + n0, N, V, L);
    }
  } else {
    for (let c0 = 0; c0 < N; c0 += C) obj += blockObjective(code, F, Math.min(C, N - c0), c0, N, V, L);
  }
  return obj;
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
      objective: betaObjectiveJs,
      fusedScratch: () => 0,
      fused: null,
      applyRatio: applyRatioJs,
    };
    b = { name: 'js', mu };
    cache.set(products, b);
  }
  return b;
}
