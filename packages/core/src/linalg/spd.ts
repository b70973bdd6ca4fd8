import { gemmStrided } from './kernels.js';

/**
 * A factored symmetric positive semi-definite n×n system. `solve(b)` returns a solution of
 * A x = b: exact by Cholesky when A is positive definite, else a least-squares (basic) solution
 * from a pivoted Cholesky truncated at rank r (pivots below n·ε·max diag dropped).
 */
export class SpdSolver {
  readonly n: number;
  /** Lower factor, row-major n×n (only the first `rank` columns used when pivoted). */
  private readonly L: Float64Array;
  private readonly perm: Int32Array | undefined;
  readonly rank: number;

  constructor(A: Float64Array, n: number, factor?: Float64Array) {
    this.n = n;
    if (factor) {
      this.L = factor;
      this.rank = n;
      this.perm = undefined;
      return;
    }
    const L = new Float64Array(n * n);
    if (SpdSolver.cholesky(A, n, L)) {
      this.L = L;
      this.rank = n;
      this.perm = undefined;
    } else {
      const { L: Lp, perm, rank } = SpdSolver.pivotedCholesky(A, n);
      this.L = Lp;
      this.perm = perm;
      this.rank = rank;
    }
  }

  /**
   * The system of the leading m×m block of A, from this factorization (the Cholesky factor of a
   * leading block is the leading block of the factor); undefined after a pivoted fallback.
   */
  leading(m: number): SpdSolver | undefined {
    if (this.perm) return undefined;
    const Lm = new Float64Array(m * m);
    for (let i = 0; i < m; i++) Lm.set(this.L.subarray(i * this.n, i * this.n + m), i * m);
    return new SpdSolver(Lm, m, Lm);
  }

  /** True when the fallback (least-squares) path was taken. */
  get pivoted(): boolean {
    return this.perm !== undefined;
  }

  /**
   * Blocked right-looking Cholesky (panels of 64): each diagonal block by rows (contiguous dot
   * products), the panel below by row-wise triangular solves, and the trailing lower triangle
   * updated with the blocked GEMM kernel (A22 −= L21 L21ᵀ). False on a non-positive pivot.
   */
  private static cholesky(A0: Float64Array, n: number, L: Float64Array): boolean {
    L.set(A0);
    const NB = 64;
    const neg = new Float64Array(n * NB);
    for (let k0 = 0; k0 < n; k0 += NB) {
      const kb = Math.min(NB, n - k0);
      // diagonal block, in place (lower triangle)
      for (let i = k0; i < k0 + kb; i++) {
        const ri = i * n;
        for (let j = k0; j <= i; j++) {
          const rj = j * n;
          let s = L[ri + j];
          for (let k = k0; k < j; k++) s -= L[ri + k] * L[rj + k];
          if (i === j) {
            if (!(s > 0) || !Number.isFinite(s)) return false;
            L[ri + i] = Math.sqrt(s);
          } else {
            L[ri + j] = s / L[rj + j];
          }
        }
      }
      // panel: L21 = A21 L11⁻ᵀ, row by row
      for (let i = k0 + kb; i < n; i++) {
        const ri = i * n;
        for (let j = k0; j < k0 + kb; j++) {
          const rj = j * n;
          let s = L[ri + j];
          for (let k = k0; k < j; k++) s -= L[ri + k] * L[rj + k];
          L[ri + j] = s / L[rj + j];
        }
      }
      const r0 = k0 + kb;
      const m = n - r0;
      if (m === 0) break;
      // −L21 packed contiguously (m×kb), then A22[r, c] += (−L21)[r]·L21[c]ᵀ on the lower block triangle
      for (let i = 0; i < m; i++) for (let k = 0; k < kb; k++) neg[i * kb + k] = -L[(r0 + i) * n + k0 + k];
      for (let c0 = r0; c0 < n; c0 += NB) {
        const cb = Math.min(NB, n - c0);
        const rows = n - c0;
        gemmStrided(rows, cb, kb, neg, (c0 - r0) * kb, kb, 1, L, c0 * n + k0, 1, n, L, c0 * n + c0, n, true);
      }
    }
    // clear the strict upper triangle (holds A and partial updates)
    for (let i = 0; i < n; i++) L.fill(0, i * n + i + 1, (i + 1) * n);
    return true;
  }

  /** Outer-product Cholesky with diagonal pivoting, stopped at the numerical rank. */
  private static pivotedCholesky(A0: Float64Array, n: number): { L: Float64Array; perm: Int32Array; rank: number } {
    const A = A0.slice();
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    let maxDiag = 0;
    for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(A[i * n + i]));
    const tol = n * Number.EPSILON * maxDiag;
    let rank = 0;
    for (let k = 0; k < n; k++) {
      let p = k;
      for (let i = k + 1; i < n; i++) if (A[i * n + i] > A[p * n + p]) p = i;
      if (!(A[p * n + p] > tol)) break;
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const t = A[k * n + j];
          A[k * n + j] = A[p * n + j];
          A[p * n + j] = t;
        }
        for (let i = 0; i < n; i++) {
          const t = A[i * n + k];
          A[i * n + k] = A[i * n + p];
          A[i * n + p] = t;
        }
        const t = perm[k];
        perm[k] = perm[p];
        perm[p] = t;
      }
      const d = Math.sqrt(A[k * n + k]);
      A[k * n + k] = d;
      for (let i = k + 1; i < n; i++) A[i * n + k] = A[i * n + k] / d;
      for (let i = k + 1; i < n; i++) {
        const lik = A[i * n + k];
        if (lik === 0) continue;
        for (let j = k + 1; j <= i; j++) A[i * n + j] = A[i * n + j] - lik * A[j * n + k];
      }
      for (let i = k + 1; i < n; i++) for (let j = i + 1; j < n; j++) A[i * n + j] = A[j * n + i];
      rank++;
    }
    // keep only the lower factor's first `rank` columns
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= Math.min(i, rank - 1); j++) L[i * n + j] = A[i * n + j];
    return { L, perm, rank };
  }

  solve(b: Float64Array): Float64Array {
    const { n, L, rank, perm } = this;
    const y = new Float64Array(n);
    for (let i = 0; i < rank; i++) y[i] = perm ? b[perm[i]] : b[i];
    // forward: L y = b
    for (let i = 0; i < rank; i++) {
      const ri = i * n;
      let s = y[i];
      for (let k = 0; k < i; k++) s -= L[ri + k] * y[k];
      y[i] = s / L[ri + i];
    }
    // backward: Lᵀ x = y (column walk, done as row-axpy for contiguity)
    for (let i = rank - 1; i >= 0; i--) {
      const ri = i * n;
      const xi = y[i] / L[ri + i];
      y[i] = xi;
      for (let k = 0; k < i; k++) y[k] = y[k] - L[ri + k] * xi;
    }
    if (!perm) return y;
    const x = new Float64Array(n);
    for (let i = 0; i < rank; i++) x[perm[i]] = y[i];
    return x;
  }
}
