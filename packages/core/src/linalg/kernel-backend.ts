import type { Matrix } from './matrix.js';
import { getMatmulBackend, type MatmulBackend } from './kernels.js';
import { nativeAvailable } from './backends/native.js';
import { wasmAvailable } from './backends/wasm.js';
import { jsBackend } from './backends/mu-js.js';
import { wasmBackend } from './backends/mu-wasm.js';
import { nativeBackend } from './backends/mu-native.js';

/**
 * The kernel layer: what solvers compute with. A solver asks for a `KernelBackend` once, when it is
 * built (`ctx.kernels` from the container, else `selectKernels()`), and reaches products and fused
 * passes only through it; it never imports a backend. Each solver family that needs fused kernels
 * has one interface here (`MuKernels` for the multiplicative updates); the backends under
 * `backends/` implement it:
 * - `js`: plain TypeScript loops and the JS blocked GEMM (the reference; every engine);
 * - `wasm`: the WebAssembly SIMD GEMM and fused passes of `assembly/gemm.ts`, bit-identical to `js`;
 * - `native`: the OpenBLAS addon of `native/nmflab_blas.c` (products differ from `js` in the last
 *   bits: another summation order).
 * A new backend (say WebGPU) implements these interfaces; no solver changes.
 */
export type KernelBackendName = 'js' | 'wasm' | 'native';

/**
 * Kernels of the multiplicative updates (`mu` in @nmflab/solvers). Λ = WH; δ is mu's floor of Λ
 * where a negative power is taken, ε its factor floor. Every pass uses only IEEE-exact operations
 * in a fixed order, so `js` and `wasm` agree bit for bit and `native` differs only through its
 * products.
 */
export interface MuKernels {
  readonly backend: KernelBackendName;
  /** C = AB, AᵀB, ABᵀ into `out` (shapes checked). */
  matmul(A: Matrix, B: Matrix, out: Matrix): Matrix;
  matmulTN(A: Matrix, B: Matrix, out: Matrix): Matrix;
  matmulNT(A: Matrix, B: Matrix, out: Matrix): Matrix;
  /**
   * The solver's matrices, placed where this backend's products run without copies (one
   * WebAssembly memory for `wasm` and `native`, which reads WASM memory directly). Beyond what that
   * memory holds (4 GiB) they are ordinary matrices and the products take their copying paths.
   */
  allocate<N extends string>(shapes: Readonly<Record<N, readonly [rows: number, cols: number]>>): Record<N, Matrix>;
  /**
   * The β ∈ {0, 1} weights on n = L.length entries: code 1 (β = 1) A = V / max(Λ, δ) (B untouched);
   * code 0 (β = 0) r = 1 / max(Λ, δ), B = r, A = (r·r)·V.
   */
  betaWeights(code: 0 | 1, L: Float64Array, V: Float64Array, A: Float64Array, B: Float64Array, delta: number): void;
  /**
   * Σ d(V|Λ) from a whole Λ (F×N) with the formulas and block order of `fused`'s objective on
   * `side` (for when the fused pass did not run): code 1 KL, code 0 IS, NaN where some λ ≤ 0.
   */
  objective(code: 0 | 1, side: 0 | 1, F: number, N: number, V: Float64Array, L: Float64Array): number;
  /**
   * Fused numerators (and, code 0, denominators) of one side without storing Λ: side 0 (W):
   * num = A Hᵀ, den = B Hᵀ (F×K); side 1 (H): num = Wᵀ A, den = Wᵀ B (K×N), with the weights of
   * `betaWeights` computed block by block from Λ = WH. `S` and `Bs` (code 0) are scratch of
   * `fusedScratch(F, N)` doubles the backend may write. With `objective`, also objective[0] = Σ d(V|Λ) for the Λ
   * at entry, summed in a fixed block order (code 1 KL: v log(v/λ) − v + λ, λ where v = 0; code 0
   * IS: v/λ − log(v/λ) − 1; NaN where some λ ≤ 0 or a ratio is not finite): the objective costs
   * one log per entry on blocks already in cache, no product. Null when the backend has no fused
   * pass; the call returns false, doing nothing, when it cannot take these operands.
   */
  /** Doubles each of `fused`'s scratch matrices S, Bs needs (0: the backend keeps its own). */
  fusedScratch(F: number, N: number): number;
  readonly fused:
    | ((
        code: 0 | 1,
        side: 0 | 1,
        F: number,
        N: number,
        K: number,
        V: Matrix,
        W: Matrix,
        H: Matrix,
        num: Matrix,
        den: Matrix,
        S: Matrix,
        Bs: Matrix,
        delta: number,
        objective: Float64Array | null,
      ) => boolean)
    | null;
  /**
   * X = max(X·(num / d)^γ, ε) entry-wise for γ = 1 (gammaCode 1) or ½ (2), d = den where den > 0,
   * else ε (only zero denominators replaced, as scikit-learn).
   */
  applyRatio(gammaCode: 1 | 2, X: Float64Array, num: Float64Array, den: Float64Array, eps: number): void;
}

/** A kernel backend: one implementation of every solver family's kernel interface. */
export interface KernelBackend {
  readonly name: KernelBackendName;
  readonly mu: MuKernels;
}

/**
 * The kernel backend for `name`, or for the process-wide product choice (`setMatmulBackend`) when
 * omitted: `auto` is `native` when the OpenBLAS addon loaded (products below NATIVE_MIN_WORK in
 * WASM), else `wasm` when WASM SIMD loaded, else `js`. Throws a RangeError for a backend that did
 * not load.
 */
export function selectKernels(name?: KernelBackendName | 'auto'): KernelBackend {
  const choice: MatmulBackend = name ?? getMatmulBackend();
  if (choice === 'native' && !nativeAvailable)
    throw new RangeError('the native OpenBLAS backend is not built or did not load');
  if (choice === 'wasm' && !wasmAvailable) throw new RangeError('WASM SIMD kernel is not available in this engine');
  if (choice === 'js') return jsBackend('js');
  if (choice === 'native' || (choice === 'auto' && nativeAvailable)) return nativeBackend(choice);
  if (wasmAvailable) return wasmBackend(choice);
  return jsBackend(choice);
}
