import {
  ComplexMatrix,
  Matrix,
  NmflabError,
  definePlugin,
  matmul,
  type Objective,
  type Problem,
  type Rng,
  type Solver,
} from '@nmflab/core';
import { checkEntries, checkRank, checkShape, frozenColumns, givenFactor, rejectMask } from '../shared.js';

/**
 * Complex NMF (Kameoka, Ono, Kashino & Sagayama, ICASSP 2009), reference §2c.
 *
 * Model of the complex STFT Y (F×N): Y_{fn} ≈ Σ_k F_{k,fn}, F_{k,fn} = W_{fk} H_{kn} e^{jφ_{k,fn}},
 * W, H ≥ 0, Σ_f W_{fk} = 1 (Kameoka's H is our Wᵀ, his U our H). Objective
 *
 *   f(W, H, φ) = Σ_{fn} |Y_{fn} − Σ_k F_{k,fn}|² + 2λ Σ_{kn} H_{kn}^p,   0 < p < 2.
 *
 * Auxiliary function (Jensen with β_k = W_k H_k / Λ, Λ = WH, and X̄_k = F_k + β_k (Y − ΣF); the
 * quadratic bound |h|^p ≤ (p/2)|h̄|^{p−2}h² + (1 − p/2)|h̄|^p). With G_k = Λ e^{jφ_k} + (Y − ΣF)
 * (= X̄_k / β_k), one iteration in the NaN-safe form of §2c is
 *
 *   1–3. e^{jφ_k} ← G_k / |G_k|                         (old phase kept where |G_k| = 0)
 *   4.   W ← W ⊙ Σ_n H |G_k| / Σ_n H Λ                   (Kameoka's step 4, β eliminated)
 *        refresh (default): recompute Λ, Y − ΣF, G_k and the phases with the new W
 *   5.   H ← H ⊙ Σ_f W |G_k| / (Σ_f W Λ + λ p max(H, ε)^{p−1})
 *        without refresh: H ← H ⊙ Σ_f W |G_k| / (Σ_f W² Λ_old / W_old + λ p max(H, ε)^{p−1})
 *   6.   s_k = Σ_f W_{fk}; W_{:k} /= s_k; H_{k:} *= s_k   (model unchanged, penalty not)
 *
 * Steps 1–5 never increase f (with refresh, neither does each block); step 6 may, so `monotone`
 * holds only for λ = 0, and the state keeps f just before step 6 (`beforeNormalization`). Zeros
 * stay zeros (for p < 1 activations collapse to exact zeros) and never produce NaN.
 *
 * `problem.freezeW` (all or listed columns) and `problem.freezeH` keep those factors bit-identical
 * (frozen columns are not normalized; nothing is normalized when H is frozen).
 *
 * Components X̄_k = F_k + β_k (Y − ΣF) (β_k = 1/K where Λ = 0) sum to Y exactly up to rounding.
 *
 * Random start (seeded; where problem.W0 / H0 are not given): W uniform in [0.1, 1] with unit-sum
 * columns, H uniform in [0.1, 1], the drawn factor scaled so that mean(WH) = mean|Y|.
 */
export interface ComplexNmfParams {
  lambda: number;
  p: number;
  refresh: boolean;
  phaseInit: 'random' | 'mixture' | 'given';
}

export interface ComplexNmfState {
  F: number;
  N: number;
  K: number;
  lambda: number;
  p: number;
  refresh: boolean;
  yr: Float64Array;
  yi: Float64Array;
  W: Matrix;
  H: Matrix;
  /** Unit phasors e^{jφ_k}, index (k·F + f)·N + n. */
  cr: Float64Array;
  ci: Float64Array;
  /** Λ = WH and the residual R = Y − Σ_k F_k of the current (W, H, φ). */
  L: Matrix;
  rr: Float64Array;
  ri: Float64Array;
  /** |G_k|, index (k·F + f)·N + n; only kept (and allocated) for `refresh: false`. */
  G: Float64Array;
  Wold: Float64Array;
  numW: Float64Array;
  denW: Float64Array;
  numH: Float64Array;
  denH: Float64Array;
  /** f(W, H, φ) at the start of the last step, after its W block (refresh only) and before step 6. */
  start: number;
  afterW: number;
  beforeNormalization: { data: number; penalty: number; total: number };
  /** Frozen columns of W (problem.freezeW) and frozen H (problem.freezeH): never updated nor normalized. */
  frozenW: Uint8Array;
  freezeH: boolean;
  iterations: number;
}

const EPS = 1e-300;

function penalty(s: ComplexNmfState): number {
  if (s.lambda === 0) return 0;
  const h = s.H.data;
  let t = 0;
  if (s.p === 1) for (let i = 0; i < h.length; i++) t += h[i];
  else for (let i = 0; i < h.length; i++) t += h[i] ** s.p;
  return 2 * s.lambda * t;
}

function dataTerm(s: ComplexNmfState): number {
  let t = 0;
  for (let i = 0; i < s.rr.length; i++) t += s.rr[i] * s.rr[i] + s.ri[i] * s.ri[i];
  return t;
}

/** Λ = WH and R = Y − Σ_k W_k H_k e^{jφ_k}. */
function computeModel(s: ComplexNmfState): void {
  const { F, N, K, cr, ci, rr, ri } = s;
  const w = s.W.data,
    h = s.H.data;
  matmul(s.W, s.H, s.L);
  rr.set(s.yr);
  ri.set(s.yi);
  for (let k = 0; k < K; k++) {
    for (let f = 0; f < F; f++) {
      const wfk = w[f * K + k];
      if (wfk === 0) continue;
      const base = (k * F + f) * N,
        row = f * N,
        hrow = k * N;
      for (let n = 0; n < N; n++) {
        const a = wfk * h[hrow + n];
        rr[row + n] -= a * cr[base + n];
        ri[row + n] -= a * ci[base + n];
      }
    }
  }
}

/**
 * Phase step e^{jφ_k} ← G_k/|G_k| with G_k = Λ e^{jφ_k} + R (old phase kept where |G_k| = 0), fused
 * with the sums of the block that follows, so |G_k| need not be stored: `W` accumulates
 * Σ_n H|G_k| and Σ_n HΛ, `H` accumulates Σ_f W|G_k| and Σ_f WΛ. |G_k| is stored only for the stale
 * H-step of `refresh: false`.
 */
function phasePass(s: ComplexNmfState, mode: 'W' | 'H'): void {
  const { F, N, K, cr, ci, rr, ri, G, numW, denW, numH, denH } = s;
  const L = s.L.data,
    w = s.W.data,
    h = s.H.data;
  const store = !s.refresh;
  if (mode === 'H') {
    numH.fill(0);
    denH.fill(0);
  }
  for (let k = 0; k < K; k++) {
    const hrow = k * N;
    for (let f = 0; f < F; f++) {
      const base = (k * F + f) * N,
        row = f * N;
      const wfk = w[f * K + k];
      let num = 0,
        den = 0;
      for (let n = 0; n < N; n++) {
        const idx = base + n;
        const l = L[row + n];
        const gr = l * cr[idx] + rr[row + n];
        const gi = l * ci[idx] + ri[row + n];
        const m = Math.sqrt(gr * gr + gi * gi);
        if (m > 0) {
          const inv = 1 / m;
          cr[idx] = gr * inv;
          ci[idx] = gi * inv;
        }
        if (store) G[idx] = m;
        if (mode === 'W') {
          const hk = h[hrow + n];
          num += hk * m;
          den += hk * l;
        } else {
          numH[hrow + n] += wfk * m;
          denH[hrow + n] += wfk * l;
        }
      }
      if (mode === 'W') {
        numW[f * K + k] = num;
        denW[f * K + k] = den;
      }
    }
  }
}

function objectiveNow(s: ComplexNmfState): number {
  return dataTerm(s) + penalty(s);
}

/** W ← W ⊙ Σ_n H|G_k| / Σ_n HΛ from the sums of `phasePass(s, 'W')`. */
function applyW(s: ComplexNmfState): void {
  const { K, numW, denW } = s;
  const w = s.W.data;
  s.Wold.set(w);
  // A whole zero row of H gives 0/0: that column of W keeps its value.
  for (let i = 0; i < w.length; i++) if (denW[i] > 0 && !s.frozenW[i % K]) w[i] = w[i] * (numW[i] / denW[i]);
}

/** Sums of the stale H-step (no refresh): Σ_f W_new|G_k| and Σ_f (W_new²/W_old) Λ_old from the stored |G_k|. */
function staleSumsH(s: ComplexNmfState): void {
  const { F, N, K, G, numH, denH } = s;
  const w = s.W.data,
    L = s.L.data,
    wold = s.Wold;
  numH.fill(0);
  denH.fill(0);
  // Sums over f accumulated row by row (contiguous in n) rather than down the columns.
  for (let k = 0; k < K; k++) {
    const hrow = k * N;
    for (let f = 0; f < F; f++) {
      const wfk = w[f * K + k];
      if (wfk === 0) continue;
      const base = (k * F + f) * N,
        row = f * N;
      // H²/β_old = W_new² Λ_old / (W_old H): a weight W_new²/W_old on Λ_old in the ratio form.
      const c = (wfk * wfk) / wold[f * K + k];
      for (let n = 0; n < N; n++) {
        numH[hrow + n] += wfk * G[base + n];
        denH[hrow + n] += c * L[row + n];
      }
    }
  }
}

/** H ← H ⊙ num / (den + λ p max(H, ε)^{p−1}); zeros stay zeros. */
function applyH(s: ComplexNmfState): void {
  const { numH, denH, lambda, p } = s;
  const h = s.H.data;
  const lp = lambda * p;
  for (let i = 0; i < h.length; i++) {
    const hkn = h[i];
    if (hkn === 0) continue; // multiplicative: zeros stay zeros (and never 0·∞)
    let den = denH[i];
    if (lp > 0) den += lp * (p === 1 ? 1 : Math.max(hkn, EPS) ** (p - 1));
    if (den > 0) h[i] = hkn * (numH[i] / den);
  }
}

function normalize(s: ComplexNmfState): void {
  const { F, N, K } = s;
  const w = s.W.data,
    h = s.H.data;
  for (let k = 0; k < K; k++) {
    // Frozen factors stay bit-identical (and the scale cannot move between them).
    if (s.frozenW[k] || s.freezeH) continue;
    let sc = 0;
    for (let f = 0; f < F; f++) sc += w[f * K + k];
    if (!(sc > 0)) continue;
    for (let f = 0; f < F; f++) w[f * K + k] /= sc;
    for (let n = 0; n < N; n++) h[k * N + n] *= sc;
  }
}

/** X̄_k = F_k + β_k R for every component (fresh matrices). */
export function complexComponents(s: ComplexNmfState): ComplexMatrix[] {
  const { F, N, K, cr, ci, rr, ri } = s;
  const w = s.W.data,
    h = s.H.data,
    L = s.L.data;
  const out: ComplexMatrix[] = [];
  for (let k = 0; k < K; k++) {
    const X = new ComplexMatrix(F, N);
    for (let f = 0; f < F; f++) {
      const wfk = w[f * K + k];
      for (let n = 0; n < N; n++) {
        const fn = f * N + n,
          idx = (k * F + f) * N + n;
        const a = wfk * h[k * N + n];
        const l = L[fn];
        const beta = l > 0 ? a / l : 1 / K;
        X.re[fn] = a * cr[idx] + beta * rr[fn];
        X.im[fn] = a * ci[idx] + beta * ri[fn];
      }
    }
    out.push(X);
  }
  return out;
}

/** W with each column divided by its sum (the solver's convention Σ_f W_{fk} = 1); columns drawn in [0.1, 1] are positive. */
function unitSumColumns(W: Matrix): Matrix {
  const F = W.rows,
    K = W.cols,
    w = W.data;
  for (let k = 0; k < K; k++) {
    let sc = 0;
    for (let f = 0; f < F; f++) sc += w[f * K + k];
    for (let f = 0; f < F; f++) w[f * K + k] /= sc;
  }
  return W;
}

/**
 * Scale the drawn factor so that the initial model has the data's mean level, mean(WH) = mean|Y|
 * (as scikit-learn's random start and `plsa` put WH on V's scale). mean(WH) = Σ_k s_k r_k / (F·N)
 * with s_k, r_k the column sums of W and the row sums of H. H is scaled when it was drawn (W given
 * or drawn with unit-sum columns: then Λ ≈ K·mean(H)/F, so H ≈ mean|Y|·F/K), W when only W was
 * drawn; given W0 and H0 are used as they are. Nothing is scaled when WH = 0 (a zero W0 or H0).
 */
function scaleRandomStart(W: Matrix, H: Matrix, meanAbs: number, givenW: boolean, givenH: boolean): void {
  if (givenW && givenH) return;
  const F = W.rows,
    K = W.cols,
    N = H.cols,
    w = W.data,
    h = H.data;
  let total = 0;
  for (let k = 0; k < K; k++) {
    let s = 0,
      r = 0;
    for (let f = 0; f < F; f++) s += w[f * K + k];
    for (let n = 0; n < N; n++) r += h[k * N + n];
    total += s * r;
  }
  const meanModel = total / (F * N);
  if (!(meanModel > 0)) return;
  const c = meanAbs / meanModel;
  const x = givenH ? w : h;
  for (let i = 0; i < x.length; i++) x[i] *= c;
}

function makeState(problem: Problem, rng: Rng, params: ComplexNmfParams): ComplexNmfState {
  const K = checkRank(problem);
  rejectMask(problem, 'complex-nmf');
  let Y = problem.Y;
  if (!Y) {
    // No complex data: factorize V as a real spectrogram with zero phase.
    const V = problem.V;
    Y = new ComplexMatrix(V.rows, V.cols, V.data.slice());
  } else {
    checkShape(problem.V, Y.rows, Y.cols, 'problem.V');
  }
  const F = Y.rows,
    N = Y.cols;
  checkEntries(Y.re, 'problem.Y.re', false);
  checkEntries(Y.im, 'problem.Y.im', false);
  let meanAbs = 0;
  for (let i = 0; i < F * N; i++) meanAbs += Math.hypot(Y.re[i], Y.im[i]);
  meanAbs /= Math.max(1, F * N);
  if (!(meanAbs > 0)) {
    throw new NmflabError('the data are all zero', {
      path: 'problem.Y',
      expected: 'a non-zero spectrogram',
      found: 'all zeros',
      exitCode: 1,
    });
  }
  const givenW = givenFactor(problem.W0, F, K, 'problem.W0', true);
  const givenH = givenFactor(problem.H0, K, N, 'problem.H0', true);
  // Draw order (W then H, uniform in [0.1, 1]) as before, so a seed draws the same numbers.
  const W = givenW ?? unitSumColumns(new Matrix(F, K, rng.fillUniform(new Float64Array(F * K), 0.1, 1)));
  const H = givenH ?? new Matrix(K, N, rng.fillUniform(new Float64Array(K * N), 0.1, 1));
  scaleRandomStart(W, H, meanAbs, givenW !== undefined, givenH !== undefined);
  const s: ComplexNmfState = {
    F,
    N,
    K,
    lambda: params.lambda,
    p: params.p,
    refresh: params.refresh,
    yr: Y.re.slice(),
    yi: Y.im.slice(),
    W,
    H,
    cr: new Float64Array(K * F * N),
    ci: new Float64Array(K * F * N),
    L: new Matrix(F, N),
    rr: new Float64Array(F * N),
    ri: new Float64Array(F * N),
    G: new Float64Array(params.refresh ? 0 : K * F * N),
    Wold: new Float64Array(F * K),
    numW: new Float64Array(F * K),
    denW: new Float64Array(F * K),
    numH: new Float64Array(K * N),
    denH: new Float64Array(K * N),
    start: NaN,
    afterW: NaN,
    beforeNormalization: { data: NaN, penalty: NaN, total: NaN },
    frozenW: frozenColumns(problem, K),
    freezeH: problem.freezeH === true,
    iterations: 0,
  };
  if (params.phaseInit === 'random') {
    for (let i = 0; i < K * F * N; i++) {
      const a = 2 * Math.PI * rng.uniform();
      s.cr[i] = Math.cos(a);
      s.ci[i] = Math.sin(a);
    }
  } else if (params.phaseInit === 'mixture') {
    for (let fn = 0; fn < F * N; fn++) {
      const m = Math.hypot(s.yr[fn], s.yi[fn]);
      const c = m > 0 ? s.yr[fn] / m : 1,
        sn = m > 0 ? s.yi[fn] / m : 0;
      for (let k = 0; k < K; k++) {
        s.cr[k * F * N + fn] = c;
        s.ci[k * F * N + fn] = sn;
      }
    }
  } else {
    const ph = problem.phase0;
    if (!ph || ph.length !== K) {
      throw new NmflabError('phase initialization "given" needs one phase matrix per component', {
        path: 'problem.phase0',
        expected: `${K} matrices of ${F}×${N} phases (radians)`,
        found: ph ? `${ph.length} matrices` : 'none',
      });
    }
    for (let k = 0; k < K; k++) {
      checkShape(ph[k], F, N, `problem.phase0[${k}]`);
      checkEntries(ph[k].data, `problem.phase0[${k}]`, false);
      for (let fn = 0; fn < F * N; fn++) {
        s.cr[k * F * N + fn] = Math.cos(ph[k].data[fn]);
        s.ci[k * F * N + fn] = Math.sin(ph[k].data[fn]);
      }
    }
  }
  normalize(s); // unit-sum columns from the start (the model is unchanged)
  computeModel(s);
  const d = dataTerm(s),
    pen = penalty(s);
  s.start = s.afterW = d + pen;
  s.beforeNormalization = { data: d, penalty: pen, total: d + pen };
  return s;
}

/** One iteration (steps 1–6); exported for tests that inspect the blocks. */
export function complexNmfStep(s: ComplexNmfState): void {
  s.start = objectiveNow(s);
  phasePass(s, 'W');
  applyW(s);
  if (s.refresh) {
    computeModel(s);
    s.afterW = objectiveNow(s);
    phasePass(s, 'H');
  } else {
    s.afterW = NaN;
    staleSumsH(s);
  }
  if (!s.freezeH) applyH(s);
  const pen = penalty(s);
  normalize(s);
  // Normalization leaves the model WH e^{jφ} unchanged (up to rounding), hence the data term:
  // f before it is the data term now plus the penalty of the unnormalized H.
  computeModel(s);
  const d = dataTerm(s);
  s.beforeNormalization = { data: d, penalty: pen, total: d + pen };
  s.iterations++;
}

export function createComplexNmf(params: ComplexNmfParams): Solver<ComplexNmfState> {
  return {
    id: 'complex-nmf',
    // Step 6 can raise the penalty term; with λ = 0 it leaves f unchanged.
    monotone: params.lambda === 0,
    init: (problem, rng) => makeState(problem, rng, params),
    step: complexNmfStep,
    objective(s): Objective {
      const data = dataTerm(s),
        pen = penalty(s);
      return { total: data + pen, terms: { data, penalty: pen, beforeNormalization: s.beforeNormalization.total } };
    },
    result(s) {
      const extra: Record<string, unknown> = {};
      // Computed on access: `fit` calls result() between iterations for its factor tolerance.
      Object.defineProperty(extra, 'components', { enumerable: true, get: () => complexComponents(s) });
      return { W: s.W, H: s.H, extra };
    },
  };
}

export default definePlugin<'solver', ComplexNmfParams>({
  meta: {
    kind: 'solver',
    id: 'complex-nmf',
    description: 'Complex NMF (Kameoka 2009): phase-aware factorization of a complex STFT with an Lp sparsity penalty',
    params: {
      lambda: { description: 'weight λ of the sparsity penalty 2λΣ|H|^p', type: 'number', default: 0, minimum: 0 },
      p: {
        description: 'exponent p of the sparsity penalty (0 < p < 2)',
        type: 'number',
        default: 1,
        exclusiveMinimum: 0,
        exclusiveMaximum: 2,
      },
      refresh: {
        description: 'refresh the auxiliary variables (β, X̄) between the W and H steps (monotone per block)',
        type: 'boolean',
        default: true,
      },
      phaseInit: {
        description:
          'initial phases: random (seeded), mixture (∠Y for every component) or given (problem.phase0, one per component)',
        type: 'string',
        enum: ['random', 'mixture', 'given'],
        default: 'random',
      },
    },
  },
  create: (params) => createComplexNmf(params),
});
