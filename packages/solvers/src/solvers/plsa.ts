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
import { checkEntries, checkRank, frozenColumns, givenFactor, rejectMask } from '../shared.js';

/**
 * pLSA (Hofmann 1999) / PLCA (Smaragdis, Raj & Shashanka 2006) by (tempered) EM, reference §2d.
 *
 * Counts or magnitudes V (F×N), latent z = 1..K. Asymmetric form P(f|n) = Σ_z P(f|z) P(z|n);
 * symmetric form P(f,n) = Σ_z P(z) P(f|z) P(n|z). Both are exposed as NMF factors
 *
 *   W_{fz} = P(f|z) (columns sum to 1),   H_{zn} = N_n P(z|n) = S P(z) P(n|z),
 *
 * with N_n = Σ_f V_{fn} and S = Σ V, so that WH is on V's scale and Σ WH = Σ V.
 *
 * EM with temperature T ≤ 1 (Hofmann's tempered EM; T = 1 is plain EM):
 *   E: R_z(f,n) = (W_{fz} H_{zn})^T / Σ_{z'} (W_{fz'} H_{z'n})^T
 *   M: W_{fz} ∝ Σ_n V_{fn} R_z(f,n) (normalized over f),  H_{zn} = Σ_f V_{fn} R_z(f,n).
 * In matrix form with Ŵ = W^T, Ĥ = H^T (element-wise powers) and Q = V / (ŴĤ):
 *   W ← colnormalize(Ŵ ⊙ (Q Ĥᵀ)),   H ← Ĥ ⊙ (Ŵᵀ Q),
 * both from the same Q: for T = 1 this is the simultaneous KL multiplicative update followed by
 * column normalization of W, H left as updated (Σ_z H_{zn} = N_n holds automatically).
 * The symmetric posterior [P(z)P(f|z)P(n|z)]^T ∝ (W_{fz} H_{zn})^T is the same, so both forms
 * have identical iterates; they differ in the reported likelihood and parameters.
 *
 * Objective (`total`, to minimize) is the negative log-likelihood of the training data:
 *   asymmetric:  NLL = −Σ_{fn} V_{fn} log P(f|n),  P(f|n) = (WH)_{fn} / Σ_{f'} (WH)_{f'n}
 *   symmetric:   NLL = −Σ_{fn} V_{fn} log P(f,n),  P(f,n) = (WH)_{fn} / Σ_{f'n'} (WH)_{f'n'}
 * (0 log 0 = 0). Terms: `nll`, `kl` = D_KL(V‖WH) = Σ V log(V/WH) − V + WH (equal to NLL up to a
 * constant once Σ_f (WH)_{fn} = N_n), and with held-out data `heldOutPerplexity`
 * = exp(−Σ V_test log P(f|n) / Σ V_test) (not part of `total`).
 * Plain EM never decreases the likelihood (`monotone` for T = 1 only).
 *
 * `problem.freezeW` keeps the listed (or all) topics P(f|z) fixed — with all of W frozen this is
 * Hofmann's folding-in of new documents; they must be given column-stochastic. `problem.freezeH`
 * keeps H fixed.
 *
 * Held-out data (`holdout` = q > 0): integer counts are thinned binomially (each count is held out
 * with probability q, as held-out words of the same documents); other data hold out whole entries
 * with probability q. EM then runs on the rest. Documents left with no training counts have no
 * P(z|n), so their held-out counts are left out of the perplexity; a held-out term never seen in
 * training has P(f|n) = 0 and makes the perplexity infinite (pLSA does not smooth). With `earlyStopping`, `result()` returns the iterate
 * with the lowest held-out perplexity seen.
 */
export interface PlsaParams {
  form: 'asymmetric' | 'symmetric';
  temper: number;
  holdout: number;
  earlyStopping: boolean;
}

export interface PlsaState {
  F: number;
  N: number;
  K: number;
  form: PlsaParams['form'];
  temper: number;
  /** Training data (V minus the held-out part) and the held-out part (or undefined). */
  V: Matrix;
  Vtest?: Matrix;
  W: Matrix;
  H: Matrix;
  Wt: Matrix;
  Ht: Matrix;
  L: Matrix;
  Q: Matrix;
  numW: Matrix;
  numH: Matrix;
  colSumL: Float64Array;
  earlyStopping: boolean;
  frozenW: Uint8Array;
  freezeH: boolean;
  best?: { W: Matrix; H: Matrix; perplexity: number; iteration: number };
  iterations: number;
}

function xlogy(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}

/** Λ = WH into s.L, and its column sums. */
function model(s: PlsaState): void {
  matmul(s.W, s.H, s.L);
  const { F, N } = s;
  const L = s.L.data,
    c = s.colSumL;
  c.fill(0);
  for (let f = 0; f < F; f++) for (let n = 0; n < N; n++) c[n] += L[f * N + n];
}

function heldOutPerplexity(s: PlsaState): number {
  // Needs model(s) to be current.
  const Vt = s.Vtest!.data,
    L = s.L.data,
    c = s.colSumL,
    N = s.N;
  let ll = 0,
    tot = 0;
  for (let i = 0; i < Vt.length; i++) {
    const v = Vt[i];
    // A document with no training counts has no P(z|n): its held-out counts are left out.
    if (v === 0 || c[i % N] === 0) continue;
    ll += v * Math.log(L[i] / c[i % N]);
    tot += v;
  }
  return tot > 0 ? Math.exp(-ll / tot) : NaN;
}

export function plsaObjective(s: PlsaState): Objective {
  model(s);
  const { N } = s;
  const V = s.V.data,
    L = s.L.data,
    c = s.colSumL;
  let total = 0;
  for (let n = 0; n < N; n++) total += c[n];
  let nll = 0,
    kl = 0;
  for (let i = 0; i < V.length; i++) {
    const v = V[i],
      l = L[i];
    const denom = s.form === 'asymmetric' ? c[i % N] : total;
    nll -= xlogy(v, l / denom);
    kl += (v === 0 ? 0 : v * Math.log(v / l)) - v + l;
  }
  const terms: Record<string, number> = { nll, kl };
  if (s.Vtest) terms.heldOutPerplexity = heldOutPerplexity(s);
  return { total: nll, terms };
}

/** One (tempered) EM iteration in place. */
export function plsaStep(s: PlsaState): void {
  const { F, K, temper } = s;
  const w = s.W.data,
    h = s.H.data;
  let Wt = s.W,
    Ht = s.H;
  if (temper !== 1) {
    for (let i = 0; i < w.length; i++) s.Wt.data[i] = w[i] ** temper;
    for (let i = 0; i < h.length; i++) s.Ht.data[i] = h[i] ** temper;
    Wt = s.Wt;
    Ht = s.Ht;
  }
  matmul(Wt, Ht, s.L);
  const V = s.V.data,
    L = s.L.data,
    Q = s.Q.data;
  // V/Λ; where Λ = 0 no latent variable explains the entry and it contributes nothing.
  for (let i = 0; i < V.length; i++) Q[i] = V[i] === 0 || L[i] === 0 ? 0 : V[i] / L[i];
  matmulNT(s.Q, Ht, s.numW); // (V/Λ) Ĥᵀ   F×K
  matmulTN(Wt, s.Q, s.numH); // Ŵᵀ (V/Λ)   K×N
  const nw = s.numW.data,
    nh = s.numH.data,
    wt = Wt.data,
    ht = Ht.data;
  if (!s.freezeH) for (let i = 0; i < nh.length; i++) h[i] = ht[i] * nh[i];
  for (let k = 0; k < K; k++) {
    if (s.frozenW[k]) continue; // folding-in: P(f|z) fixed, only P(z|n) re-estimated
    let sum = 0;
    for (let f = 0; f < F; f++) sum += wt[f * K + k] * nw[f * K + k];
    // An unused topic (no mass at all) keeps its distribution.
    if (!(sum > 0)) continue;
    for (let f = 0; f < F; f++) w[f * K + k] = (wt[f * K + k] * nw[f * K + k]) / sum;
  }
  s.iterations++;
  if (s.earlyStopping && s.Vtest) {
    model(s);
    const ppl = heldOutPerplexity(s);
    if (!s.best || ppl < s.best.perplexity) {
      s.best ??= { W: s.W.clone(), H: s.H.clone(), perplexity: ppl, iteration: s.iterations };
      s.best.W.data.set(w);
      s.best.H.data.set(h);
      s.best.perplexity = ppl;
      s.best.iteration = s.iterations;
    }
  }
}

/** Split V into training and held-out parts (see the doc comment). */
function split(V: Matrix, q: number, rng: Rng): { train: Matrix; test: Matrix } {
  const train = V.clone(),
    test = new Matrix(V.rows, V.cols);
  let integer = true,
    total = 0;
  for (const v of V.data) {
    if (!Number.isInteger(v)) integer = false;
    total += v;
  }
  for (let i = 0; i < V.data.length; i++) {
    const v = V.data[i];
    if (v === 0) continue;
    if (integer && total <= 1e7) {
      let out = 0;
      for (let c = 0; c < v; c++) if (rng.uniform() < q) out++;
      test.data[i] = out;
      train.data[i] = v - out;
    } else if (rng.uniform() < q) {
      test.data[i] = v;
      train.data[i] = 0;
    }
  }
  return { train, test };
}

function makeState(problem: Problem, rng: Rng, params: PlsaParams): PlsaState {
  const K = checkRank(problem);
  rejectMask(problem, 'plsa');
  const frozenW = frozenColumns(problem, K);
  const V0 = problem.V;
  const F = V0.rows,
    N = V0.cols;
  checkEntries(V0.data, 'problem.V', true, 'pLSA models counts or magnitudes');
  let V = V0,
    Vtest: Matrix | undefined;
  if (params.holdout > 0) ({ train: V, test: Vtest } = split(V0, params.holdout, rng.fork('plsa-holdout')));
  const Nn = new Float64Array(N);
  for (let f = 0; f < F; f++) for (let n = 0; n < N; n++) Nn[n] += V.data[f * N + n];
  if (!(Nn.reduce((a, b) => a + b, 0) > 0)) {
    throw new NmflabError('the training data are all zero', {
      path: 'problem.V',
      expected: 'some positive counts',
      found: 'all zeros',
      exitCode: 1,
    });
  }
  const W =
    givenFactor(problem.W0, F, K, 'problem.W0', true) ??
    new Matrix(F, K, rng.fillUniform(new Float64Array(F * K), 0.1, 1));
  for (let k = 0; k < K; k++) {
    let sum = 0;
    for (let f = 0; f < F; f++) sum += W.data[f * K + k];
    if (!(sum > 0))
      throw new NmflabError('an initial topic has no mass', {
        path: `problem.W0[:, ${k}]`,
        expected: 'a column with a positive sum',
        found: 'all zeros',
        exitCode: 1,
      });
    if (frozenW[k]) {
      // A frozen column is used as given, so it must already be a distribution.
      if (Math.abs(sum - 1) > 1e-9)
        throw new NmflabError('a frozen topic is not a distribution', {
          path: `problem.W0[:, ${k}]`,
          expected: 'a column summing to 1 (P(f|z))',
          found: `sum ${sum}`,
          exitCode: 1,
        });
      continue;
    }
    for (let f = 0; f < F; f++) W.data[f * K + k] /= sum;
  }
  let H = givenFactor(problem.H0, K, N, 'problem.H0', true);
  if (!H) {
    H = new Matrix(K, N, rng.fillUniform(new Float64Array(K * N), 0.1, 1));
    // H = N_n P(z|n) with P(z|n) drawn at random.
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += H.data[k * N + n];
      for (let k = 0; k < K; k++) H.data[k * N + n] = (H.data[k * N + n] / sum) * Nn[n];
    }
  }
  return {
    F,
    N,
    K,
    form: params.form,
    temper: params.temper,
    V,
    Vtest,
    W,
    H,
    Wt: new Matrix(F, K),
    Ht: new Matrix(K, N),
    L: new Matrix(F, N),
    Q: new Matrix(F, N),
    numW: new Matrix(F, K),
    numH: new Matrix(K, N),
    colSumL: new Float64Array(N),
    earlyStopping: params.earlyStopping,
    frozenW,
    freezeH: problem.freezeH === true,
    iterations: 0,
  };
}

export function createPlsa(params: PlsaParams): Solver<PlsaState> {
  return {
    id: 'plsa',
    monotone: params.temper === 1,
    init: (problem, rng) => makeState(problem, rng, params),
    step: plsaStep,
    objective: plsaObjective,
    result(s) {
      const W = s.best ? s.best.W : s.W,
        H = s.best ? s.best.H : s.H;
      const { K, N } = s;
      const extra: Record<string, unknown> = { form: s.form };
      if (s.form === 'asymmetric') {
        const pzn = new Matrix(K, N);
        for (let n = 0; n < N; n++) {
          let c = 0;
          for (let k = 0; k < K; k++) c += H.data[k * N + n];
          for (let k = 0; k < K; k++) pzn.data[k * N + n] = c > 0 ? H.data[k * N + n] / c : 1 / K;
        }
        extra.pzGivenN = pzn;
      } else {
        let S = 0;
        for (const x of H.data) S += x;
        const pz = new Float64Array(K),
          pnz = new Matrix(K, N);
        for (let k = 0; k < K; k++) {
          let r = 0;
          for (let n = 0; n < N; n++) r += H.data[k * N + n];
          pz[k] = r / S;
          for (let n = 0; n < N; n++) pnz.data[k * N + n] = r > 0 ? H.data[k * N + n] / r : 1 / N;
        }
        extra.pz = pz;
        extra.pnGivenZ = pnz;
      }
      if (s.best) extra.bestIteration = s.best.iteration;
      if (s.Vtest) extra.heldOut = s.Vtest;
      return { W, H, extra };
    },
  };
}

export default definePlugin<'solver', PlsaParams>({
  meta: {
    kind: 'solver',
    id: 'plsa',
    description: 'pLSA / PLCA by (tempered) EM: W = P(f|z), H = N_n P(z|n), equivalent to KL-NMF',
    params: {
      form: {
        description:
          'asymmetric P(f|n) = Σ P(f|z)P(z|n) or symmetric P(f,n) = Σ P(z)P(f|z)P(n|z) (same iterates, different likelihood and outputs)',
        type: 'string',
        enum: ['asymmetric', 'symmetric'],
        default: 'asymmetric',
      },
      temper: {
        description: 'tempered-EM exponent T on the E-step (1 = plain EM; smaller flattens the posterior)',
        type: 'number',
        default: 1,
        exclusiveMinimum: 0,
        maximum: 1,
      },
      holdout: {
        description: 'fraction of the data held out (counts thinned binomially) for the held-out perplexity',
        type: 'number',
        default: 0,
        minimum: 0,
        exclusiveMaximum: 1,
      },
      earlyStopping: {
        description: 'return the iterate with the lowest held-out perplexity (needs holdout > 0)',
        type: 'boolean',
        default: false,
      },
    },
  },
  create: (params, ctx) => {
    if (params.earlyStopping && params.holdout === 0) {
      throw new NmflabError('early stopping needs held-out data', {
        file: ctx.file,
        path: `${ctx.path}.earlyStopping`,
        expected: 'holdout > 0 with earlyStopping: true',
        found: 'holdout 0',
      });
    }
    return createPlsa(params);
  },
});
