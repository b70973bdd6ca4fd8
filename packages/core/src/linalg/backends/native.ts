import { createRequire } from 'node:module';

/**
 * Optional native backend: OpenBLAS's `cblas_dgemm` through a small N-API addon
 * (`packages/core/native`, built by `scripts/build-native.mjs` during `npm run setup` when a C
 * compiler and libopenblas-dev are present). Loaded once at import; when absent or unloadable
 * (`NMFLAB_NATIVE=0` also disables it) `nativeAvailable` is false and the WebAssembly kernel
 * serves every product.
 *
 * OpenBLAS's sums are not in the JS/WASM kernels' order, so native products differ from them in
 * the last bits (≈1e-16 relative per product); see `setMatmulBackend`.
 */

/** Kernel semantics version this code expects (`NMFLAB_ABI` in nmflab_blas.c). */
const EXPECTED_ABI = 2;

interface NativeBlas {
  abi?: number;
  dgemm(
    m: number, n: number, k: number,
    A: Float64Array, aRs: number, aCs: number,
    B: Float64Array, bRs: number, bCs: number,
    C: Float64Array, cRs: number, accumulate: boolean,
  ): void;
  setThreads(n: number): void;
  getThreads(): number;
  muWeights(code: 0 | 1, L: Float64Array, V: Float64Array, A: Float64Array, B: Float64Array, eps: number): void;
  muApply(gammaCode: 1 | 2, X: Float64Array, num: Float64Array, den: Float64Array, eps: number): void;
  muFused(
    code: 0 | 1, side: 0 | 1, F: number, N: number, K: number,
    V: Float64Array, W: Float64Array, H: Float64Array, num: Float64Array, den: Float64Array, eps: number,
  ): boolean;
}

/**
 * Element-wise passes of the multiplicative updates in C (vectorized by the compiler; only
 * IEEE-exact operations, so bit-identical to the JavaScript loops in `mu.ts` they replace):
 * - `muWeights(1, Λ, V, A, B, δ)`: A = V / max(Λ, δ) (β = 1; B untouched);
 *   `muWeights(0, …)`: r = 1/max(Λ, δ), B = r, A = r·r·V (β = 0). δ: mu's floor of Λ (`modelFloor`).
 * - `muApply(1 | 2, X, num, den, ε)`: X = max(X·(num / d)^γ, ε) for γ = 1 or ½, d = den where
 *   den > 0, else ε (only zero denominators are replaced, as scikit-learn).
 * - `muFused(code, side, F, N, K, V, W, H, num, den, δ)`: the numerator (and for β = 0 the
 *   denominator) of the W update (side 0: num = (V/Λ)Hᵀ, F×K) or of the H update (side 1:
 *   num = Wᵀ(V/Λ), K×N) for β = 1 (code 1) or β = 0 (code 0: num = (V/Λ²)·, den = (1/Λ)·),
 *   Λ = WH computed block by block in cache (16 rows / 64 columns) and never stored: one pass
 *   over V instead of ~10 F×N arrays through memory. Blocks are split between the threads, never
 *   the sums, so results do not depend on the thread count. Returns false if scratch memory
 *   (2·max(16N, 64F) doubles per thread, kept between calls) cannot be allocated.
 */
export type NativeMuKernels = Pick<NativeBlas, 'muWeights' | 'muApply' | 'muFused'>;

function load(): NativeBlas | null {
  if (process.env.NMFLAB_NATIVE === '0') return null;
  try {
    // Same relative path from src/ (tests) and dist/ (built package).
    const req = createRequire(import.meta.url);
    const addon = req('../../../native/build/Release/nmflab_blas.node') as NativeBlas;
    if (addon.abi !== EXPECTED_ABI) {
      // Built from older sources: its kernels may differ from the JS paths, so it is not used.
      process.emitWarning(`nmflab: the native OpenBLAS addon is out of date (kernel version ${addon.abi ?? 1}, expected ${EXPECTED_ABI}); using WebAssembly. Rebuild it with: npm run build:native`);
      return null;
    }
    return addon;
  } catch {
    return null;
  }
}

const blas = load();

/** True when the OpenBLAS addon loaded. */
export const nativeAvailable = blas !== null;

/** The addon's element-wise MU kernels, or null without it. Prefer `kernels.ts`'s `nativeMuKernels()`, which honours `setMatmulBackend`. */
export const nativeMuKernelsRaw: NativeMuKernels | null = blas;

/** Number of threads native products use (0 without the addon). */
export function nativeThreads(): number {
  return blas ? blas.getThreads() : 0;
}

/** Set the number of threads of native products (1 or 2; default 2 on multi-core machines): C is split by rows or columns, never the sum, so results do not depend on it; no-op without the addon. */
export function setNativeThreads(n: number): void {
  if (blas && Number.isInteger(n) && n >= 1) blas.setThreads(n);
}

/**
 * C (+)= op(A)·op(B) by cblas_dgemm, strides as in `gemmStrided` (zero offsets: pass subarrays).
 * Returns false, doing nothing, when the addon is absent or the strides are not BLAS layouts
 * (each operand needs a unit stride and a leading dimension covering the other).
 */
export function gemmNative(
  m: number, n: number, k: number,
  A: Float64Array, aRs: number, aCs: number,
  B: Float64Array, bRs: number, bCs: number,
  C: Float64Array, cRs: number,
  accumulate = false,
): boolean {
  if (!blas || m <= 0 || n <= 0 || k <= 0) return false;
  // BLAS leading dimensions: NoTrans A (m×k) lda ≥ k; Trans (stored k×m) lda ≥ m; likewise B.
  const aOk = aCs === 1 ? aRs >= Math.max(1, k) : aRs === 1 && aCs >= Math.max(1, m);
  const bOk = bCs === 1 ? bRs >= Math.max(1, n) : bRs === 1 && bCs >= Math.max(1, k);
  if (!aOk || !bOk || cRs < Math.max(1, n)) return false;
  if ((m - 1) * (aCs === 1 ? aRs : 1) + (k - 1) * (aCs === 1 ? 1 : aCs) >= A.length) return false;
  if ((k - 1) * (bCs === 1 ? bRs : 1) + (n - 1) * (bCs === 1 ? 1 : bCs) >= B.length) return false;
  if ((m - 1) * cRs + n > C.length) return false;
  blas.dgemm(m, n, k, A, aRs, aCs, B, bRs, bCs, C, cRs, accumulate);
  return true;
}
