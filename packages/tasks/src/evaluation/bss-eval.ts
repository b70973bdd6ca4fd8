import FFT from 'fft.js';
import { NmflabError } from '@nmflab/core';
import { gemmStrided } from '@nmflab/core';

/**
 * BSS Eval (Vincent, Gribonval & Févotte 2006), mono signals.
 *
 * For an estimate ŝ and references s_1..s_n, let P_j project onto the span of the delayed copies
 * {s_j(t−τ), τ = 0..L−1} and P_S onto the span of all of them (L = 512 taps, the distortion
 * filter). With ŝ and s_j zero-padded by L−1 samples:
 *
 *   s_true = s_j,  e_spat = P_j ŝ − s_true,  e_interf = P_S ŝ − P_j ŝ,  e_artif = ŝ − P_S ŝ.
 *
 * The projections are least-squares fits G c = D, where G is the block-Toeplitz Gram matrix of
 * the delayed references and D the correlations of ŝ with them, both read off FFT
 * cross-correlations (one FFT size for the whole signal). G does not depend on the estimate, so it
 * is built and Cholesky-factored once per call (mir_eval rebuilds it for every pair and solves by
 * LU; the solution is the same). If G is not numerically positive definite the solve falls back to
 * a rank-revealing (pivoted) Cholesky, i.e. a least-squares solution, as mir_eval falls back to
 * lstsq.
 *
 * Ratios in dB are capped at ±{@link BSS_DB_CAP}: a perfect estimate, whose error energy is zero
 * or at rounding level, gets +300 dB instead of +Infinity (mir_eval returns Infinity only for an
 * exactly zero denominator, else the rounding-level ratio, typically 250–320 dB).
 */

/** The cap of every BSS Eval ratio in dB (an energy ratio of 10^30, beyond float64 resolution). */
export const BSS_DB_CAP = 300;

/** Default length of the distortion filters (taps), as in mir_eval and museval. */
export const BSS_FILTER_LENGTH = 512;

/** Largest source count for the exhaustive permutation search (n! candidates). */
export const BSS_MAX_PERMUTED_SOURCES = 8;

export interface BssSourcesResult {
  /** Per reference j: SDR/SIR/SAR of the estimate matched to it. */
  sdr: number[];
  sir: number[];
  sar: number[];
  /** perm[j] = index of the estimate matched to reference j. */
  perm: number[];
}

export interface BssImagesResult extends BssSourcesResult {
  isr: number[];
  /** Per reference j, per frame (NaN where a reference or estimate is silent in the frame). */
  frames: { sdr: number[][]; isr: number[][]; sir: number[][]; sar: number[][] };
}

/** 10 log10(num/den), capped at ±BSS_DB_CAP (a zero denominator gives +cap). */
export function safeDb(num: number, den: number): number {
  if (!(den > 0)) return num > 0 ? BSS_DB_CAP : Number.NaN;
  if (!(num > 0)) return -BSS_DB_CAP;
  const v = 10 * Math.log10(num / den);
  return Math.max(-BSS_DB_CAP, Math.min(BSS_DB_CAP, v));
}

// ---------------------------------------------------------------------------------------------
// FFT helpers (fft.js works on interleaved complex arrays)
// ---------------------------------------------------------------------------------------------

const fftCache = new Map<number, FFT>();
function fftOf(size: number): FFT {
  let f = fftCache.get(size);
  if (!f) {
    f = new FFT(size);
    fftCache.set(size, f);
  }
  return f;
}

function nextPow2(n: number): number {
  let p = 4;
  while (p < n) p *= 2;
  return p;
}

/** Full complex spectrum (interleaved, length 2·size) of x zero-padded to `size`. */
function spectrum(x: Float64Array, size: number, buf: Float64Array): Float64Array {
  buf.fill(0);
  buf.set(x.length > size ? x.subarray(0, size) : x);
  const f = fftOf(size);
  const out = new Float64Array(2 * size);
  f.realTransform(out, buf);
  f.completeSpectrum(out);
  return out;
}

/**
 * Circular cross-correlations r[k] = Σ_t a[t+k] b[t] of real signals from their spectra, two at
 * a time: both are real, so one complex inverse FFT of P₁ + i·P₂ gives r₁ + i·r₂.
 */
function crossCorrelations(pairs: [Float64Array, Float64Array][], size: number, prod: Float64Array, out: Float64Array): Float64Array[] {
  const res: Float64Array[] = [];
  for (let p = 0; p < pairs.length; p += 2) {
    const [A1, B1] = pairs[p]!;
    const second = pairs[p + 1];
    for (let k = 0; k < 2 * size; k += 2) {
      const ar = A1[k]!, ai = A1[k + 1]!, br = B1[k]!, bi = -B1[k + 1]!;
      prod[k] = ar * br - ai * bi;
      prod[k + 1] = ar * bi + ai * br;
    }
    if (second) {
      const [A2, B2] = second;
      for (let k = 0; k < 2 * size; k += 2) {
        const ar = A2[k]!, ai = A2[k + 1]!, br = B2[k]!, bi = -B2[k + 1]!;
        // add i·(A2·conj(B2))
        prod[k] = prod[k]! - (ar * bi + ai * br);
        prod[k + 1] = prod[k + 1]! + (ar * br - ai * bi);
      }
    }
    fftOf(size).inverseTransform(out, prod);
    const r1 = new Float64Array(size);
    for (let k = 0; k < size; k++) r1[k] = out[2 * k]!;
    res.push(r1);
    if (second) {
      const r2 = new Float64Array(size);
      for (let k = 0; k < size; k++) r2[k] = out[2 * k + 1]!;
      res.push(r2);
    }
  }
  return res;
}

/** Linear convolution of a short filter with a signal, by FFT; the first `len` samples. */
export function convolve(filter: Float64Array, signal: Float64Array, len = filter.length + signal.length - 1): Float64Array {
  const size = nextPow2(filter.length + signal.length - 1);
  const buf = new Float64Array(size);
  const F = spectrum(filter, size, buf);
  const S = spectrum(signal, size, buf);
  for (let k = 0; k < 2 * size; k += 2) {
    const fr = F[k]!, fi = F[k + 1]!, sr = S[k]!, si = S[k + 1]!;
    F[k] = fr * sr - fi * si;
    F[k + 1] = fr * si + fi * sr;
  }
  const out = new Float64Array(2 * size);
  fftOf(size).inverseTransform(out, F);
  const y = new Float64Array(len);
  const m = Math.min(len, size);
  for (let t = 0; t < m; t++) y[t] = out[2 * t]!;
  return y;
}

// ---------------------------------------------------------------------------------------------
// Symmetric positive (semi-)definite solves
// ---------------------------------------------------------------------------------------------

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
          let s = L[ri + j]!;
          for (let k = k0; k < j; k++) s -= L[ri + k]! * L[rj + k]!;
          if (i === j) {
            if (!(s > 0) || !Number.isFinite(s)) return false;
            L[ri + i] = Math.sqrt(s);
          } else {
            L[ri + j] = s / L[rj + j]!;
          }
        }
      }
      // panel: L21 = A21 L11⁻ᵀ, row by row
      for (let i = k0 + kb; i < n; i++) {
        const ri = i * n;
        for (let j = k0; j < k0 + kb; j++) {
          const rj = j * n;
          let s = L[ri + j]!;
          for (let k = k0; k < j; k++) s -= L[ri + k]! * L[rj + k]!;
          L[ri + j] = s / L[rj + j]!;
        }
      }
      const r0 = k0 + kb;
      const m = n - r0;
      if (m === 0) break;
      // −L21 packed contiguously (m×kb), then A22[r, c] += (−L21)[r]·L21[c]ᵀ on the lower block triangle
      for (let i = 0; i < m; i++) for (let k = 0; k < kb; k++) neg[i * kb + k] = -L[(r0 + i) * n + k0 + k]!;
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
    for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(A[i * n + i]!));
    const tol = n * Number.EPSILON * maxDiag;
    let rank = 0;
    for (let k = 0; k < n; k++) {
      let p = k;
      for (let i = k + 1; i < n; i++) if (A[i * n + i]! > A[p * n + p]!) p = i;
      if (!(A[p * n + p]! > tol)) break;
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const t = A[k * n + j]!;
          A[k * n + j] = A[p * n + j]!;
          A[p * n + j] = t;
        }
        for (let i = 0; i < n; i++) {
          const t = A[i * n + k]!;
          A[i * n + k] = A[i * n + p]!;
          A[i * n + p] = t;
        }
        const t = perm[k]!;
        perm[k] = perm[p]!;
        perm[p] = t;
      }
      const d = Math.sqrt(A[k * n + k]!);
      A[k * n + k] = d;
      for (let i = k + 1; i < n; i++) A[i * n + k] = A[i * n + k]! / d;
      for (let i = k + 1; i < n; i++) {
        const lik = A[i * n + k]!;
        if (lik === 0) continue;
        for (let j = k + 1; j <= i; j++) A[i * n + j] = A[i * n + j]! - lik * A[j * n + k]!;
      }
      for (let i = k + 1; i < n; i++) for (let j = i + 1; j < n; j++) A[i * n + j] = A[j * n + i]!;
      rank++;
    }
    // keep only the lower factor's first `rank` columns
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= Math.min(i, rank - 1); j++) L[i * n + j] = A[i * n + j]!;
    return { L, perm, rank };
  }

  solve(b: Float64Array): Float64Array {
    const { n, L, rank, perm } = this;
    const y = new Float64Array(n);
    for (let i = 0; i < rank; i++) y[i] = perm ? b[perm[i]!]! : b[i]!;
    // forward: L y = b
    for (let i = 0; i < rank; i++) {
      const ri = i * n;
      let s = y[i]!;
      for (let k = 0; k < i; k++) s -= L[ri + k]! * y[k]!;
      y[i] = s / L[ri + i]!;
    }
    // backward: Lᵀ x = y (column walk, done as row-axpy for contiguity)
    for (let i = rank - 1; i >= 0; i--) {
      const ri = i * n;
      const xi = y[i]! / L[ri + i]!;
      y[i] = xi;
      for (let k = 0; k < i; k++) y[k] = y[k]! - L[ri + k]! * xi;
    }
    if (!perm) return y;
    const x = new Float64Array(n);
    for (let i = 0; i < rank; i++) x[perm[i]!] = y[i]!;
    return x;
  }
}

// ---------------------------------------------------------------------------------------------
// Projection onto delayed references
// ---------------------------------------------------------------------------------------------

/**
 * The references of one evaluation, with their spectra, the Gram matrix of their delayed copies
 * and its factorizations (all sources, and each source alone), reused for every estimate.
 */
export class DelayedReferences {
  readonly n: number;
  readonly nsampl: number;
  readonly L: number;
  readonly size: number;
  readonly refs: Float64Array[];
  private readonly spectra: Float64Array[];
  private readonly G: Float64Array;
  private readonly all: SpdSolver;
  private readonly single: SpdSolver[];
  private readonly buf: Float64Array;
  private readonly prod: Float64Array;
  private readonly work: Float64Array;

  constructor(refs: Float64Array[], L = BSS_FILTER_LENGTH) {
    this.refs = refs;
    this.n = refs.length;
    this.nsampl = refs[0]!.length;
    this.L = L;
    this.size = nextPow2(this.nsampl + L - 1);
    const { n, size } = this;
    this.buf = new Float64Array(size);
    this.prod = new Float64Array(2 * size);
    this.work = new Float64Array(2 * size);
    this.spectra = refs.map((r) => spectrum(r, size, this.buf));
    // G[(i,a),(j,b)] = ⟨s_i(·−a), s_j(·−b)⟩ = r_ij[b−a], r_ij[k] = Σ_t s_i[t+k] s_j[t]
    const nL = n * L;
    const G = new Float64Array(nL * nL);
    const ij: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) ij.push([i, j]);
    const rs = crossCorrelations(ij.map(([i, j]) => [this.spectra[i]!, this.spectra[j]!]), size, this.prod, this.work);
    for (const [p, [i, j]] of ij.entries()) {
      {
        const r = rs[p]!;
        for (let a = 0; a < L; a++) {
          // block (i,j), row a: r[b − a] for b ≥ a (contiguous), r[size − (a − b)] for b < a
          const row = (i * L + a) * nL + j * L;
          G.set(r.subarray(size - a, size), row);
          G.set(r.subarray(0, L - a), row + a);
        }
        if (i !== j) {
          // block (j,i) = block(i,j)ᵀ, written row by row: row b holds r[b − a] over a
          for (let b = 0; b < L; b++) {
            const row = (j * L + b) * nL + i * L;
            for (let a = 0; a <= b; a++) G[row + a] = r[b - a]!;
            for (let a = b + 1; a < L; a++) G[row + a] = r[size - (a - b)]!;
          }
        }
      }
    }
    this.G = G;
    this.all = new SpdSolver(G, nL);
    this.single = [];
    for (let j = 0; j < n; j++) {
      const lead = j === 0 ? this.all.leading(L) : undefined;
      if (lead) {
        this.single.push(lead);
        continue;
      }
      const B = new Float64Array(L * L);
      for (let a = 0; a < L; a++) B.set(G.subarray((j * L + a) * nL + j * L, (j * L + a) * nL + j * L + L), a * L);
      this.single.push(new SpdSolver(B, L));
    }
  }

  /** D[(i,a)] = ⟨s_i(·−a), ŝ⟩ for every reference i and delay a. */
  correlations(est: Float64Array): Float64Array {
    const { n, L, size } = this;
    const E = spectrum(est, size, this.buf);
    const D = new Float64Array(n * L);
    const rs = crossCorrelations(this.spectra.map((S) => [S, E]), size, this.prod, this.work);
    for (let i = 0; i < n; i++) {
      const r = rs[i]!;
      for (let a = 0; a < L; a++) D[i * L + a] = r[(size - a) % size]!;
    }
    return D;
  }

  /** Distortion filters of ŝ on all references (n·L taps, source-major). */
  filtersAll(D: Float64Array): Float64Array {
    return this.all.solve(D);
  }

  /** Distortion filter of ŝ on reference j alone (L taps). */
  filtersSingle(D: Float64Array, j: number): Float64Array {
    return this.single[j]!.solve(D.subarray(j * this.L, (j + 1) * this.L));
  }

  /** Σ_i c_i ∗ s_i over the listed sources (whole signals), length nsampl + L − 1. */
  project(filters: Float64Array, sources: readonly number[]): Float64Array {
    const { L, size } = this;
    const acc = new Float64Array(2 * size);
    // filters are source-major blocks of L taps, in the order of `sources`
    sources.forEach((src, idx) => {
      const C = spectrum(filters.subarray(idx * L, (idx + 1) * L), size, this.buf);
      const S = this.spectra[src]!;
      for (let k = 0; k < 2 * size; k += 2) {
        const cr = C[k]!, ci = C[k + 1]!, sr = S[k]!, si = S[k + 1]!;
        acc[k] = acc[k]! + cr * sr - ci * si;
        acc[k + 1] = acc[k + 1]! + cr * si + ci * sr;
      }
    });
    fftOf(size).inverseTransform(this.work, acc);
    const M = this.nsampl + L - 1;
    const y = new Float64Array(M);
    for (let t = 0; t < M; t++) y[t] = this.work[2 * t]!;
    return y;
  }

  get gram(): Float64Array {
    return this.G;
  }

  /** y = G[rows of block set, cols of block set] x for one source block j (L×L) or all (nL×nL). */
  gramTimes(x: Float64Array, j?: number): Float64Array {
    const nL = this.n * this.L;
    const L = this.L;
    const off = j === undefined ? 0 : j * L;
    const m = j === undefined ? nL : L;
    const y = new Float64Array(m);
    const G = this.G;
    for (let a = 0; a < m; a++) {
      const row = (off + a) * nL + off;
      let s = 0;
      for (let b = 0; b < m; b++) s += G[row + b]! * x[b]!;
      y[a] = s;
    }
    return y;
  }
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

function isSilent(x: Float64Array, from = 0, to = x.length): boolean {
  // mir_eval: a source is silent when the sum of its samples is exactly 0… of all-zero samples;
  // it tests np.all(sum over channels == 0), i.e. every (mono) sample is zero.
  for (let t = from; t < to; t++) if (x[t] !== 0) return false;
  return true;
}

export interface BssInputWhere {
  /** Name of the metric or command, for messages. */
  what?: string;
  file?: string;
  path?: string;
}

/** Shape and content checks shared by the BSS Eval functions (mir_eval `validate`). */
export function validateBssInput(references: Float64Array[], estimates: Float64Array[], where: BssInputWhere = {}): void {
  const what = where.what ?? 'bss eval';
  const at = { file: where.file, path: where.path };
  if (references.length === 0) throw new NmflabError(`${what}: no reference signals`, { ...at, expected: 'at least one reference', found: 'none' });
  if (estimates.length !== references.length) {
    throw new NmflabError(`${what}: as many estimates as references are needed`, {
      ...at,
      expected: `${references.length} estimate(s)`,
      found: `${estimates.length}`,
    });
  }
  const len = references[0]!.length;
  const all = [...references.map((r, i) => ['reference', i, r] as const), ...estimates.map((e, i) => ['estimate', i, e] as const)];
  for (const [kind, i, x] of all) {
    if (x.length !== len) {
      throw new NmflabError(`${what}: ${kind} ${i + 1} has a different length`, { ...at, expected: `${len} samples (as reference 1)`, found: `${x.length}` });
    }
  }
  if (len === 0) throw new NmflabError(`${what}: empty signals`, { ...at, expected: 'at least one sample', found: '0 samples' });
  for (const [kind, i, x] of all) {
    for (let t = 0; t < x.length; t++) {
      if (!Number.isFinite(x[t]!)) {
        throw new NmflabError(`${what}: ${kind} ${i + 1} has a non-finite sample`, { ...at, expected: 'finite samples', found: `${x[t]} at sample ${t}` });
      }
    }
    if (isSilent(x)) {
      throw new NmflabError(`${what}: ${kind} ${i + 1} is silent (all zeros); BSS Eval is undefined for silent sources`, {
        ...at,
        expected: 'a non-silent signal',
        found: 'all-zero samples',
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Permutations
// ---------------------------------------------------------------------------------------------

/** All permutations of 0..n−1 in lexicographic order (itertools.permutations order). */
function permutations(n: number): number[][] {
  const out: number[][] = [];
  const used = new Array<boolean>(n).fill(false);
  const cur: number[] = [];
  const rec = (): void => {
    if (cur.length === n) {
      out.push(cur.slice());
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      used[i] = true;
      cur.push(i);
      rec();
      cur.pop();
      used[i] = false;
    }
  };
  rec();
  return out;
}

/**
 * The permutation p (p[j] = estimate for reference j) with the best mean of score[p[j]][j]; the
 * first in lexicographic order among ties (as numpy's argmax over itertools.permutations).
 * NaN scores are ignored in the mean (museval would propagate them).
 */
function bestPermutation(score: number[][], n: number, where: BssInputWhere): number[] {
  if (n > BSS_MAX_PERMUTED_SOURCES) {
    throw new NmflabError(`${where.what ?? 'bss eval'}: too many sources for the permutation search`, {
      file: where.file,
      path: where.path,
      expected: `at most ${BSS_MAX_PERMUTED_SOURCES} sources (or permutation: false)`,
      found: `${n}`,
    });
  }
  let best: number[] = [];
  let bestMean = -Infinity;
  for (const p of permutations(n)) {
    let s = 0;
    let c = 0;
    for (let j = 0; j < n; j++) {
      const v = score[p[j]!]![j]!;
      if (!Number.isNaN(v)) {
        s += v;
        c++;
      }
    }
    const m = c ? s / c : -Infinity;
    if (best.length === 0 || m > bestMean) {
      bestMean = m;
      best = p;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// bss_eval_sources (v3, mir_eval 0.7)
// ---------------------------------------------------------------------------------------------

/**
 * The references' Gram matrix and its factorizations, to share between evaluations against the
 * same references (e.g. a separation, its oracle and its mixture baseline): pass it as
 * `prepared`. It must be built from the same arrays and filter length.
 */
export function prepareReferences(references: Float64Array[], filterLength = BSS_FILTER_LENGTH): DelayedReferences {
  validateBssInput(references, references, { what: 'bss eval references' });
  return new DelayedReferences(references, filterLength);
}

function referencesFor(references: Float64Array[], filterLength: number, prepared: DelayedReferences | undefined): DelayedReferences {
  if (!prepared) return new DelayedReferences(references, filterLength);
  if (prepared.L !== filterLength || prepared.refs.length !== references.length || prepared.refs.some((r, i) => r !== references[i])) {
    throw new NmflabError('bss eval: prepared references do not match the references given', {
      expected: `the same ${references.length} reference arrays and filter length ${filterLength}`,
      found: `${prepared.refs.length} arrays, filter length ${prepared.L}`,
    });
  }
  return prepared;
}

export interface BssSourcesOptions extends BssInputWhere {
  /** From {@link prepareReferences}, to reuse the Gram matrix of these references. */
  prepared?: DelayedReferences;
  /** Try every estimate/reference matching and keep the best mean SIR (default true). */
  permutation?: boolean;
  filterLength?: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Below this fraction of ‖ŝ‖², an error energy computed from Gram quantities is dominated by
 * cancellation (rounding ~1e-16 relative), so that pair is recomputed in the time domain.
 */
const GRAM_CANCELLATION = 1e-8;

/** What one estimate shares across references: its correlations, filters on all, P_S ŝ energies. */
interface EstimateTerms {
  est: Float64Array;
  D: Float64Array;
  c: Float64Array;
  Gc: Float64Array;
  energy: number;
  psps: number;
  estps: number;
  ps?: Float64Array;
}

function estimateTerms(refs: DelayedReferences, est: Float64Array): EstimateTerms {
  const D = refs.correlations(est);
  const c = refs.filtersAll(D);
  const Gc = refs.gramTimes(c);
  return { est, D, c, Gc, energy: dot(est, est), psps: dot(c, Gc), estps: dot(c, D) };
}

/**
 * SDR/SIR/SAR of an estimate against reference j. With s_filt = P_j ŝ (filters c_j) and
 * P_S ŝ (filters c), every energy is a quadratic form in the Gram matrix G:
 * ‖P_j ŝ‖² = c_jᵀG_jj c_j, ⟨P_S ŝ, P_j ŝ⟩ = (Gc)_jᵀ c_j, ⟨ŝ, P_j ŝ⟩ = D_jᵀ c_j, ‖P_S ŝ‖² = cᵀGc;
 * e.g. ‖e_artif‖² = ‖ŝ‖² − 2Dᵀc + cᵀGc. When an error energy is at rounding level the pair is
 * recomputed from the time-domain components as mir_eval does (`_bss_decomp_mtifilt`).
 */
function sourceCriteria(refs: DelayedReferences, T: EstimateTerms, j: number): [number, number, number] {
  const { L } = refs;
  const cj = refs.filtersSingle(T.D, j);
  const Gcj = refs.gramTimes(cj, j);
  const pjpj = dot(cj, Gcj);
  const pspj = dot(T.Gc.subarray(j * L, (j + 1) * L), cj);
  const estpj = dot(T.D.subarray(j * L, (j + 1) * L), cj);
  const eI = T.psps - 2 * pspj + pjpj;
  const eIA = T.energy - 2 * estpj + pjpj;
  const eA = T.energy - 2 * T.estps + T.psps;
  const floor = GRAM_CANCELLATION * T.energy;
  if (eI > floor && eIA > floor && eA > floor) return [safeDb(pjpj, eIA), safeDb(pjpj, eI), safeDb(T.psps, eA)];
  return sourceCriteriaTime(refs, T, cj, j);
}

function sourceCriteriaTime(refs: DelayedReferences, T: EstimateTerms, cj: Float64Array, j: number): [number, number, number] {
  const { L, nsampl } = refs;
  const ps = (T.ps ??= refs.project(T.c, Array.from({ length: refs.n }, (_, i) => i)));
  const pj = refs.project(cj, [j]);
  const s = refs.refs[j]!;
  const est = T.est;
  const M = nsampl + L - 1;
  let eFilt = 0, eIA = 0, eI = 0, eFI = 0, eA = 0;
  for (let t = 0; t < M; t++) {
    const sTrue = t < nsampl ? s[t]! : 0;
    const e = t < nsampl ? est[t]! : 0;
    const eSpat = pj[t]! - sTrue;
    const eInterf = ps[t]! - sTrue - eSpat;
    const eArtif = e - sTrue - eSpat - eInterf;
    const sFilt = sTrue + eSpat;
    eFilt += sFilt * sFilt;
    eIA += (eInterf + eArtif) * (eInterf + eArtif);
    eI += eInterf * eInterf;
    eFI += (sFilt + eInterf) * (sFilt + eInterf);
    eA += eArtif * eArtif;
  }
  return [safeDb(eFilt, eIA), safeDb(eFilt, eI), safeDb(eFI, eA)];
}

/**
 * BSS Eval v3 `bss_eval_sources` (mir_eval 0.7 parity): per reference, SDR, SIR and SAR of its
 * matched estimate, and the matching `perm` (perm[j] = estimate index for reference j) with the
 * best mean SIR. Throws an NmflabError for silent, non-finite or mismatched signals.
 */
export function bssEvalSources(references: Float64Array[], estimates: Float64Array[], opts: BssSourcesOptions = {}): BssSourcesResult {
  validateBssInput(references, estimates, opts);
  const n = references.length;
  const permute = opts.permutation ?? true;
  const refs = referencesFor(references, opts.filterLength ?? BSS_FILTER_LENGTH, opts.prepared);
  const all = Array.from({ length: n }, (_, i) => i);
  const nan = (): number[][] => Array.from({ length: n }, () => new Array<number>(n).fill(Number.NaN));
  const sdr = nan(), sir = nan(), sar = nan();
  for (let e = 0; e < n; e++) {
    const T = estimateTerms(refs, estimates[e]!);
    for (let j = 0; j < n; j++) {
      if (!permute && j !== e) continue;
      [sdr[e]![j], sir[e]![j], sar[e]![j]] = sourceCriteria(refs, T, j);
    }
  }
  const perm = permute ? bestPermutation(sir, n, opts) : all;
  return {
    sdr: perm.map((e, j) => sdr[e]![j]!),
    sir: perm.map((e, j) => sir[e]![j]!),
    sar: perm.map((e, j) => sar[e]![j]!),
    perm,
  };
}

// ---------------------------------------------------------------------------------------------
// bss_eval_images, framewise (museval v4)
// ---------------------------------------------------------------------------------------------

export interface BssImagesOptions extends BssInputWhere {
  /** From {@link prepareReferences}, to reuse the Gram matrix of these references. */
  prepared?: DelayedReferences;
  /** Frame length in samples; ≥ signal length (or Infinity) = one frame on the whole signal. */
  window: number;
  /** Hop between frames in samples. */
  hop: number;
  /** Try every matching, best mean SIR (museval default false). */
  permutation?: boolean;
  filterLength?: number;
}

/** Median ignoring NaN (numpy nanmedian); NaN when every value is NaN. */
export function nanMedian(xs: readonly number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** Frames as museval's `Framing`: nwin = ⌊(len − win + hop)/hop⌋ when win < len, else 1. */
export function frames(length: number, window: number, hop: number): [number, number][] {
  if (!(window < length)) return [[0, length]];
  const nwin = Math.floor((length - window + hop) / hop);
  const out: [number, number][] = [];
  for (let t = 0; t < nwin; t++) out.push([t * hop, Math.min(t * hop + window, length)]);
  return out;
}

/**
 * BSS Eval v4 images, framewise, as museval `bss_eval` with its defaults: the distortion filters
 * are computed once on the whole signals and applied to each frame of the references; frames
 * where any reference or estimate is silent give NaN; per source, the frame values are aggregated
 * by their median ignoring NaN. Not scale-invariant: est = 3·ref gives SDR = −6.02 dB.
 */
export function bssEvalImages(references: Float64Array[], estimates: Float64Array[], opts: BssImagesOptions): BssImagesResult {
  validateBssInput(references, estimates, opts);
  const n = references.length;
  const refs = referencesFor(references, opts.filterLength ?? BSS_FILTER_LENGTH, opts.prepared);
  const L = refs.L;
  const permute = opts.permutation ?? false;
  const all = Array.from({ length: n }, (_, i) => i);
  // filters on the whole signals: C[e] (all references) and Cj[e][j] (reference j alone)
  const C: Float64Array[] = [];
  const Cj: (Float64Array | undefined)[][] = [];
  for (let e = 0; e < n; e++) {
    const D = refs.correlations(estimates[e]!);
    C.push(refs.filtersAll(D));
    Cj.push(all.map((j) => (permute || j === e ? refs.filtersSingle(D, j) : undefined)));
  }
  const fr = frames(refs.nsampl, opts.window, opts.hop);
  const nw = fr.length;
  // s_r[m][e][j][t]
  const mk = (): number[][][] => all.map(() => all.map(() => new Array<number>(nw).fill(Number.NaN)));
  const R = { sdr: mk(), isr: mk(), sir: mk(), sar: mk() };
  fr.forEach(([a, b], t) => {
    const silent = [...references, ...estimates].some((x) => isSilent(x, a, b));
    if (silent) return;
    const len = b - a;
    const M = len + L - 1;
    const segs = references.map((r) => r.subarray(a, b));
    // projections of the frame's references: per source, its own filtered copy with each filter
    for (let e = 0; e < n; e++) {
      const est = estimates[e]!.subarray(a, b);
      // P_S ŝ on this frame: Σ_i C[e]_i ∗ s_i(frame)
      const ps = new Float64Array(M);
      for (let i = 0; i < n; i++) {
        const y = convolve(C[e]!.subarray(i * L, (i + 1) * L), segs[i]!, M);
        for (let k = 0; k < M; k++) ps[k] = ps[k]! + y[k]!;
      }
      for (let j = 0; j < n; j++) {
        const cj = Cj[e]![j];
        if (!cj) continue;
        const pj = convolve(cj, segs[j]!, M);
        const s = segs[j]!;
        let eTrue = 0, eErr = 0, eSpat2 = 0, eTS = 0, eI = 0, eTSI = 0, eA = 0;
        for (let k = 0; k < M; k++) {
          const sTrue = k < len ? s[k]! : 0;
          const x = k < len ? est[k]! : 0;
          const eSpat = pj[k]! - sTrue;
          const eInterf = ps[k]! - sTrue - eSpat;
          const eArtif = x - sTrue - eSpat - eInterf;
          const err = eSpat + eInterf + eArtif;
          eTrue += sTrue * sTrue;
          eErr += err * err;
          eSpat2 += eSpat * eSpat;
          eTS += (sTrue + eSpat) * (sTrue + eSpat);
          eI += eInterf * eInterf;
          eTSI += (sTrue + eSpat + eInterf) * (sTrue + eSpat + eInterf);
          eA += eArtif * eArtif;
        }
        R.sdr[e]![j]![t] = safeDb(eTrue, eErr);
        R.isr[e]![j]![t] = safeDb(eTrue, eSpat2);
        R.sir[e]![j]![t] = safeDb(eTS, eI);
        R.sar[e]![j]![t] = safeDb(eTSI, eA);
      }
    }
  });
  let perm = all;
  if (permute) {
    const meanSir = all.map((e) => all.map((j) => nanMean(R.sir[e]![j]!)));
    perm = bestPermutation(meanSir, n, opts);
  }
  const pick = (X: number[][][]): number[][] => perm.map((e, j) => X[e]![j]!);
  const framesOut = { sdr: pick(R.sdr), isr: pick(R.isr), sir: pick(R.sir), sar: pick(R.sar) };
  return {
    sdr: framesOut.sdr.map(nanMedian),
    isr: framesOut.isr.map(nanMedian),
    sir: framesOut.sir.map(nanMedian),
    sar: framesOut.sar.map(nanMedian),
    perm,
    frames: framesOut,
  };
}

/** Mean ignoring NaN (NaN when all are NaN): the permutation score over frames. */
function nanMean(xs: readonly number[]): number {
  let s = 0, c = 0;
  for (const x of xs) if (!Number.isNaN(x)) { s += x; c++; }
  return c ? s / c : Number.NaN;
}

// ---------------------------------------------------------------------------------------------
// SI-SDR (Le Roux et al. 2019)
// ---------------------------------------------------------------------------------------------

/**
 * Scale-invariant SDR of estimate ŝ against reference s: α = ⟨ŝ,s⟩/‖s‖²,
 * SI-SDR = 10 log10(‖αs‖² / ‖αs − ŝ‖²) (capped as the other ratios; no mean removal).
 */
export function siSdr(reference: Float64Array, estimate: Float64Array): number {
  let ss = 0, se = 0;
  for (let t = 0; t < reference.length; t++) {
    ss += reference[t]! * reference[t]!;
    se += reference[t]! * estimate[t]!;
  }
  if (!(ss > 0)) throw new NmflabError('si-sdr: the reference is silent', { expected: 'a non-silent reference', found: 'zero energy' });
  const alpha = se / ss;
  let num = 0, den = 0;
  for (let t = 0; t < reference.length; t++) {
    const target = alpha * reference[t]!;
    const err = target - estimate[t]!;
    num += target * target;
    den += err * err;
  }
  return safeDb(num, den);
}
