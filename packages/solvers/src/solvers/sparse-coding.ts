import {
  Matrix,
  NmflabError,
  definePlugin,
  matmul,
  matmulNT,
  matmulTN,
  type Objective,
  type Problem,
  type Rng,
  type Solver,
} from '@nmflab/core';
import { checkEntries, checkRank, checkShape, frozenColumns, rejectMask, spectralNormPsd } from '../shared.js';

/**
 * Sparse coding (Olshausen & Field 1996) and non-negative sparse coding (Hoyer 2002), §2e.
 *
 * Data X = problem.V (F×N, any sign for `method: proximal`), dictionary D = W (F×K, unit-ℓ2
 * columns), codes A = H (K×N):
 *
 *   min_{D, A} F(D, A) = ½‖X − DA‖²_F + λ Σ_{kn} S(A_{kn}),
 *   S(a) = |a| (`l1`), |a|^p (`lp`), log(1 + (a/σ)²) (`log`); optionally A ≥ 0.
 *
 * Codes (D fixed), with g(A) = ½‖X − DA‖², ∇g = DᵀDA − DᵀX, L = ‖DᵀD‖₂ (power iteration):
 * - ISTA: A ← prox_{λS/L}(A − ∇g(A)/L); FISTA (Beck & Teboulle 2009): the same step taken at
 *   Y_k = A_k + ((t_k − 1)/t_{k+1})(A_k − A_{k−1}), t_{k+1} = (1 + √(1 + 4t_k²))/2, t_1 = 1.
 * - l1: exact prox, soft-thresholding S_τ(u) = sign(u) max(|u| − τ, 0) (max(u − τ, 0) if A ≥ 0).
 * - Non-convex or non-separable-prox penalties use a majorized step around the current point ā
 *   (MM, so ISTA stays monotone): lp with p ≤ 1 by the tangent line of the concave |a|^p in |a|
 *   (weighted soft-thresholding with τ = λ p |ā|^{p−1}/L, "local linear approximation": an entry
 *   at 0 stays 0); lp with 1 < p < 2 by the quadratic bound (p/2)|ā|^{p−2}a² (Kameoka's, §2c) and
 *   log by log(1 + a²/σ²) ≤ const + a²/(σ² + ā²), both giving the shrinkage a = u/(1 + 2λq/L);
 *   A ≥ 0 is then a clamp (the surrogate is separable). FISTA takes the weights at Y_k.
 * Dictionary (after `codeIterations` code iterations per step):
 * - gradient: D ← D − (DA − X)Aᵀ / ‖AAᵀ‖₂, columns projected on the unit ball (a projected
 *   gradient step, which cannot increase F), then columns of norm c < 1 are scaled to 1 and
 *   the matching rows of A by c (DA unchanged, S(c·a) ≤ S(a)): monotone with ISTA codes.
 * - mod (method of optimal directions): D ← XAᵀ(AAᵀ + δI)⁻¹, then unit-norm columns with the
 *   norm moved into A's rows (DA unchanged). Fast, not monotone (the penalty changes).
 * - fixed: D stays as initialized (problem.W0): pure sparse coding.
 * `method: nnsc` (Hoyer 2002; X ≥ 0, l1 only): A ← A ⊙ DᵀX / (DᵀDA + λ), then D ← D − μ(DA − X)Aᵀ
 * with μ = 1/‖AAᵀ‖₂, negatives set to 0, columns rescaled to unit norm (A not rescaled, as Hoyer).
 *
 * `problem.freezeW` (all or listed columns; frozen columns are used as given, not normalized) and
 * `problem.freezeH` keep those factors bit-identical; a mask is rejected.
 * `monotone` is declared only where it is guaranteed: proximal + ISTA + gradient/fixed
 * dictionary, and NNSC with a fixed dictionary. FISTA is not monotone.
 * Initialization: D = problem.W0 (normalized) or K distinct random data columns, normalized;
 * A = problem.H0 or DᵀX (clamped at 0 for A ≥ 0; NNSC: seeded positive draws).
 */
export interface SparseCodingParams {
  method: 'proximal' | 'nnsc';
  penalty: 'l1' | 'lp' | 'log';
  lambda: number;
  p: number;
  sigma: number;
  codes: 'ista' | 'fista';
  codeIterations: number;
  nonnegative: boolean;
  dictionary: 'gradient' | 'mod' | 'fixed';
}

export interface SparseCodingState {
  F: number;
  N: number;
  K: number;
  params: SparseCodingParams;
  X: Matrix;
  D: Matrix;
  A: Matrix;
  /** FISTA: previous iterate, extrapolated point and t_k. */
  Aprev: Matrix;
  Y: Matrix;
  t: number;
  /** Lipschitz constant ‖DᵀD‖₂ of the current dictionary. */
  L: number;
  DtD: Matrix;
  DtX: Matrix;
  G: Matrix;
  AAt: Matrix;
  XAt: Matrix;
  DAAt: Matrix;
  DA: Matrix;
  chol: Float64Array;
  work: Float64Array;
  codeIterations: number;
  /** Frozen dictionary columns (problem.freezeW) and frozen codes (problem.freezeH). */
  frozenW: Uint8Array;
  freezeH: boolean;
  dictionary: SparseCodingParams['dictionary'];
}

const TINY = 1e-300;

/** Soft-thresholding S_τ(u) = sign(u)·max(|u| − τ, 0), the prox of τ|·|; non-negative: max(u − τ, 0). */
export function softThreshold(u: number, tau: number, nonnegative = false): number {
  if (nonnegative) return u > tau ? u - tau : 0;
  return u > tau ? u - tau : u < -tau ? u + tau : 0;
}

/** S(a) summed, for the configured penalty. */
function penaltyValue(s: SparseCodingState): number {
  const { penalty, lambda, p, sigma } = s.params;
  if (lambda === 0) return 0;
  const a = s.A.data;
  let t = 0;
  if (penalty === 'l1' || s.params.method === 'nnsc') for (let i = 0; i < a.length; i++) t += Math.abs(a[i]);
  else if (penalty === 'lp') for (let i = 0; i < a.length; i++) t += Math.abs(a[i]) ** p;
  else for (let i = 0; i < a.length; i++) t += Math.log1p((a[i] / sigma) ** 2);
  return lambda * t;
}

function dataValue(s: SparseCodingState): number {
  matmul(s.D, s.A, s.DA);
  const x = s.X.data,
    m = s.DA.data;
  let t = 0;
  for (let i = 0; i < x.length; i++) {
    const r = x[i] - m[i];
    t += r * r;
  }
  return 0.5 * t;
}

/** DᵀD, DᵀX and L after a dictionary change; resets FISTA's momentum. */
function refreshDictionary(s: SparseCodingState): void {
  matmulTN(s.D, s.D, s.DtD);
  matmulTN(s.D, s.X, s.DtX);
  s.L = spectralNormPsd(s.DtD.data, s.K, s.work);
  s.t = 1;
  s.Y.data.set(s.A.data);
  s.Aprev.data.set(s.A.data);
}

/** One proximal (majorized) gradient step taken at `at`, written into s.A. */
function proxStep(s: SparseCodingState, at: Matrix): void {
  const { lambda, penalty, p, sigma, nonnegative } = s.params;
  matmul(s.DtD, at, s.G);
  const g = s.G.data,
    dtx = s.DtX.data,
    y = at.data,
    a = s.A.data;
  const invL = 1 / s.L;
  for (let i = 0; i < a.length; i++) {
    const yi = y[i];
    const u = yi - (g[i] - dtx[i]) * invL;
    if (lambda === 0) {
      a[i] = nonnegative && u < 0 ? 0 : u;
    } else if (penalty === 'l1' || (penalty === 'lp' && p === 1)) {
      a[i] = softThreshold(u, lambda * invL, nonnegative);
    } else if (penalty === 'lp' && p < 1) {
      const w = p * Math.max(Math.abs(yi), TINY) ** (p - 1);
      a[i] = softThreshold(u, lambda * w * invL, nonnegative);
    } else {
      const q = penalty === 'lp' ? 0.5 * p * Math.max(Math.abs(yi), TINY) ** (p - 2) : 1 / (sigma * sigma + yi * yi);
      const v = u / (1 + 2 * lambda * q * invL);
      a[i] = nonnegative && v < 0 ? 0 : v;
    }
  }
}

function codeIteration(s: SparseCodingState): void {
  if (s.params.codes === 'ista') {
    // In place is safe: the gradient is computed first and each entry reads a[i] before writing it.
    proxStep(s, s.A);
    return;
  }
  // FISTA: A_k = prox(Y_k); Y_{k+1} = A_k + ((t_k − 1)/t_{k+1})(A_k − A_{k−1}).
  s.Aprev.data.set(s.A.data);
  proxStep(s, s.Y);
  const tNext = (1 + Math.sqrt(1 + 4 * s.t * s.t)) / 2;
  const c = (s.t - 1) / tNext;
  const a = s.A.data,
    ap = s.Aprev.data,
    y = s.Y.data;
  for (let i = 0; i < a.length; i++) y[i] = a[i] + c * (a[i] - ap[i]);
  s.t = tNext;
}

/** Scale columns of D to unit norm; `moveIntoA` multiplies A's rows by the old norms (DA unchanged). */
function normalizeColumns(s: SparseCodingState, moveIntoA: boolean, onlyBelowOne = false): void {
  const { F, K, N } = s;
  const d = s.D.data,
    a = s.A.data;
  for (let k = 0; k < K; k++) {
    if (s.frozenW[k]) continue;
    let nr = 0;
    for (let f = 0; f < F; f++) nr += d[f * K + k] * d[f * K + k];
    nr = Math.sqrt(nr);
    if (!(nr > 0) || (onlyBelowOne && nr >= 1)) continue;
    // With frozen codes the lift (which rescales A) is skipped: columns stay in the unit ball.
    if (onlyBelowOne && s.freezeH) continue;
    for (let f = 0; f < F; f++) d[f * K + k] /= nr;
    if (moveIntoA && !s.freezeH) for (let n = 0; n < N; n++) a[k * N + n] *= nr;
  }
}

function dictionaryGradient(s: SparseCodingState, nonnegative: boolean): boolean {
  matmulNT(s.A, s.A, s.AAt);
  const LA = spectralNormPsd(s.AAt.data, s.K, s.work);
  if (!(LA > 0)) return false;
  matmulNT(s.X, s.A, s.XAt);
  matmul(s.D, s.AAt, s.DAAt);
  const d = s.D.data,
    g = s.DAAt.data,
    xa = s.XAt.data;
  const K = s.K;
  for (let i = 0; i < d.length; i++) {
    if (s.frozenW[i % K]) continue;
    const v = d[i] - (g[i] - xa[i]) / LA;
    d[i] = nonnegative && v < 0 ? 0 : v;
  }
  return true;
}

/** In-place Cholesky of a K×K SPD matrix (lower triangle); false if not positive definite. */
function cholesky(M: Float64Array, K: number): boolean {
  for (let j = 0; j < K; j++) {
    let s = M[j * K + j];
    for (let k = 0; k < j; k++) s -= M[j * K + k] * M[j * K + k];
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    M[j * K + j] = l;
    for (let i = j + 1; i < K; i++) {
      let t = M[i * K + j];
      for (let k = 0; k < j; k++) t -= M[i * K + k] * M[j * K + k];
      M[i * K + j] = t / l;
    }
  }
  return true;
}

/** MOD: D = XAᵀ(AAᵀ + δI)⁻¹ row by row (solve C dᵀ = (XAᵀ)ᵀ with C = LLᵀ); unused atoms keep theirs. */
function dictionaryMod(s: SparseCodingState): void {
  const { F, K } = s;
  matmulNT(s.A, s.A, s.AAt);
  matmulNT(s.X, s.A, s.XAt);
  const C = s.chol;
  C.set(s.AAt.data);
  let tr = 0;
  for (let k = 0; k < K; k++) tr += C[k * K + k];
  if (!(tr > 0)) return;
  const delta = 1e-10 * (tr / K);
  for (let k = 0; k < K; k++) C[k * K + k] += delta;
  if (!cholesky(C, K)) return;
  const d = s.D.data,
    xa = s.XAt.data,
    z = s.work;
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < K; i++) {
      let t = xa[f * K + i];
      for (let k = 0; k < i; k++) t -= C[i * K + k] * z[k];
      z[i] = t / C[i * K + i];
    }
    for (let i = K - 1; i >= 0; i--) {
      let t = z[i];
      for (let k = i + 1; k < K; k++) t -= C[k * K + i] * z[k];
      z[i] = t / C[i * K + i];
    }
    for (let k = 0; k < K; k++) if (s.AAt.data[k * K + k] > 0) d[f * K + k] = z[k];
  }
}

function nnscStep(s: SparseCodingState): void {
  const { lambda } = s.params;
  if (!s.freezeH) {
    // A ← A ⊙ DᵀX / (DᵀDA + λ)
    matmul(s.DtD, s.A, s.G);
    const a = s.A.data,
      g = s.G.data,
      dtx = s.DtX.data;
    for (let i = 0; i < a.length; i++) {
      const den = g[i] + lambda;
      if (den > 0) a[i] = a[i] * (dtx[i] / den);
    }
  }
  if (s.dictionary === 'fixed') return;
  if (dictionaryGradient(s, true)) {
    normalizeColumns(s, false);
    refreshDictionary(s);
  }
}

export function sparseCodingStep(s: SparseCodingState): void {
  if (s.params.method === 'nnsc') {
    nnscStep(s);
    return;
  }
  if (!s.freezeH) for (let i = 0; i < s.codeIterations; i++) codeIteration(s);
  const dict = s.dictionary;
  if (dict === 'fixed') return;
  if (dict === 'gradient') {
    if (!dictionaryGradient(s, false)) return;
    // Project on the unit ball, then lift norms below one back to one with A absorbing the scale.
    const { F, K } = s;
    const d = s.D.data;
    for (let k = 0; k < K; k++) {
      if (s.frozenW[k]) continue;
      let nr = 0;
      for (let f = 0; f < F; f++) nr += d[f * K + k] * d[f * K + k];
      nr = Math.sqrt(nr);
      if (nr > 1) for (let f = 0; f < F; f++) d[f * K + k] /= nr;
    }
    normalizeColumns(s, true, true);
  } else {
    dictionaryMod(s);
    normalizeColumns(s, true);
  }
  refreshDictionary(s);
}

function makeState(problem: Problem, rng: Rng, params: SparseCodingParams): SparseCodingState {
  const K = checkRank(problem);
  rejectMask(problem, 'sparse-coding');
  const frozenW = frozenColumns(problem, K);
  const allFrozen = frozenW.every((x) => x === 1);
  if (params.dictionary === 'mod' && frozenW.some((x) => x === 1) && !allFrozen) {
    throw new NmflabError('MOD updates the whole dictionary at once', {
      path: 'problem.freezeW',
      expected: 'all or no columns frozen with dictionary: mod',
      found: 'some columns frozen',
      hint: 'use dictionary: gradient',
    });
  }
  const X = problem.V;
  const F = X.rows,
    N = X.cols;
  const nnsc = params.method === 'nnsc';
  checkEntries(
    X.data,
    'problem.V',
    nnsc,
    nnsc ? 'NNSC needs non-negative data; use method: proximal for signed data' : undefined,
  );
  let D: Matrix;
  if (problem.W0) {
    checkShape(problem.W0, F, K, 'problem.W0');
    checkEntries(problem.W0.data, 'problem.W0', nnsc);
    D = problem.W0.clone();
    for (let k = 0; k < K; k++) {
      if (!D.col(k).some((v) => v !== 0))
        throw new NmflabError('a dictionary column is zero', {
          path: `problem.W0[:, ${k}]`,
          expected: 'non-zero columns (they are scaled to unit norm)',
          found: 'all zeros',
          exitCode: 1,
        });
    }
  } else {
    D = new Matrix(F, K);
    const perm = rng.permutation(N);
    for (let k = 0; k < K; k++) {
      let nz = false;
      if (k < N)
        for (let f = 0; f < F; f++) {
          const v = X.data[f * N + perm[k]];
          D.data[f * K + k] = v;
          if (v !== 0) nz = true;
        }
      if (!nz) for (let f = 0; f < F; f++) D.data[f * K + k] = nnsc ? Math.abs(rng.normal()) : rng.normal();
    }
  }
  const s: SparseCodingState = {
    F,
    N,
    K,
    params,
    X,
    D,
    A: new Matrix(K, N),
    Aprev: new Matrix(K, N),
    Y: new Matrix(K, N),
    t: 1,
    L: 1,
    DtD: new Matrix(K, K),
    DtX: new Matrix(K, N),
    G: new Matrix(K, N),
    AAt: new Matrix(K, K),
    XAt: new Matrix(F, K),
    DAAt: new Matrix(F, K),
    DA: new Matrix(F, N),
    chol: new Float64Array(K * K),
    work: new Float64Array(Math.max(2 * K, 1)),
    codeIterations: params.codeIterations,
    frozenW,
    freezeH: problem.freezeH === true,
    dictionary: allFrozen ? 'fixed' : params.dictionary,
  };
  normalizeColumns(s, false);
  if (problem.H0) {
    checkShape(problem.H0, K, N, 'problem.H0');
    checkEntries(problem.H0.data, 'problem.H0', nnsc || params.nonnegative);
    s.A.data.set(problem.H0.data);
  } else if (nnsc) {
    let scale = 0;
    for (const v of X.data) scale += v;
    scale /= Math.max(1, F * N);
    rng.fillUniform(s.A.data, 0.1 * scale, scale);
  } else {
    matmulTN(D, X, s.A);
    if (params.nonnegative) for (let i = 0; i < s.A.data.length; i++) if (s.A.data[i] < 0) s.A.data[i] = 0;
  }
  refreshDictionary(s);
  return s;
}

export function createSparseCoding(params: SparseCodingParams): Solver<SparseCodingState> {
  const monotone =
    params.method === 'nnsc' ? params.dictionary === 'fixed' : params.codes === 'ista' && params.dictionary !== 'mod';
  return {
    id: 'sparse-coding',
    monotone,
    init: (problem, rng) => makeState(problem, rng, params),
    step: sparseCodingStep,
    objective(s): Objective {
      const data = dataValue(s),
        penalty = penaltyValue(s);
      return { total: data + penalty, terms: { data, penalty } };
    },
    result: (s) => ({ W: s.D, H: s.A, extra: { lipschitz: s.L } }),
  };
}

export default definePlugin<'solver', SparseCodingParams>({
  meta: {
    kind: 'solver',
    id: 'sparse-coding',
    description: 'Sparse coding ½‖X − DA‖² + λΣS(A): ISTA/FISTA codes, gradient/MOD dictionary, or Hoyer NNSC',
    params: {
      method: {
        description: 'proximal (ISTA/FISTA codes, signed data) or nnsc (Hoyer 2002, non-negative data, l1)',
        type: 'string',
        enum: ['proximal', 'nnsc'],
        default: 'proximal',
      },
      penalty: {
        description:
          'sparsity function S: l1 |a|, lp |a|^p, log log(1 + (a/σ)²) (lp p < 1 and log by a majorized step)',
        type: 'string',
        enum: ['l1', 'lp', 'log'],
        default: 'l1',
      },
      lambda: { description: 'weight λ of the sparsity penalty', type: 'number', default: 0.1, minimum: 0 },
      p: {
        description: 'exponent of the lp penalty (0 < p < 2)',
        type: 'number',
        default: 0.5,
        exclusiveMinimum: 0,
        exclusiveMaximum: 2,
      },
      sigma: {
        description: 'scale σ of the log penalty log(1 + (a/σ)²)',
        type: 'number',
        default: 1,
        exclusiveMinimum: 0,
      },
      codes: {
        description: 'code solver: ista (monotone) or fista (O(1/k²), not monotone)',
        type: 'string',
        enum: ['ista', 'fista'],
        default: 'fista',
      },
      codeIterations: {
        description: 'code iterations per solver iteration (between dictionary updates)',
        type: 'integer',
        default: 1,
        minimum: 1,
      },
      nonnegative: { description: 'constrain the codes to A ≥ 0', type: 'boolean', default: false },
      dictionary: {
        description:
          'dictionary update: gradient (projected, monotone), mod (method of optimal directions) or fixed (problem.W0)',
        type: 'string',
        enum: ['gradient', 'mod', 'fixed'],
        default: 'gradient',
      },
    },
  },
  create: (params, ctx) => {
    if (params.method === 'nnsc' && params.penalty !== 'l1') {
      throw new NmflabError('NNSC uses the l1 penalty only', {
        file: ctx.file,
        path: `${ctx.path}.penalty`,
        expected: 'l1 with method: nnsc',
        found: params.penalty,
      });
    }
    return createSparseCoding(params);
  },
});
