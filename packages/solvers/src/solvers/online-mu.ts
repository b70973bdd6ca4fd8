import {
  Matrix,
  NmflabError,
  definePlugin,
  matmul,
  matmulNT,
  matmulTN,
  mmExponent,
  selectKernels,
  type Divergence,
  type Initializer,
  type Objective,
  type PluginRef,
  type Problem,
  type Rng,
  type Solver,
  type SolverResult,
} from '@nmflab/core';
import { initialFactors } from '../shared.js';

/**
 * Mini-batch / online multiplicative updates for Σ d_β(V|WH), any β (Lefèvre, Bach & Févotte
 * 2011; scikit-learn's `MiniBatchNMF` for the parameters). The frames (columns of V) are taken in
 * batches of b. For each batch V_B:
 *
 * 1. its activations H_B with W fixed: one MU step from their previous values, or (fresh
 *    restarts) from the constant √(mean V_B / K), up to `innerIterations` MU steps until
 *    ‖ΔH_B‖/‖H_B‖ ≤ `innerTol`;
 * 2. W from running sums of the MU numerator and denominator, older batches forgotten at rate
 *    ρ = forgetFactor^(b/N):
 *      A ← ρA + W^{1/γ} ⊙ [(V_B⊙Λ^{β−2}) H_Bᵀ],   B ← ρB + Λ^{β−1} H_Bᵀ,   W ← (A/B)^γ,
 *    Λ = W H_B, γ the Févotte–Idier exponent; A starts at W₀ and B at 1 (as scikit-learn).
 *
 * One solver iteration is one pass over all batches in order (scikit-learn cycles the same
 * batches); the objective reported is the full Σ d_β(V|WH) with the W at the end of the pass and
 * each frame's last activations. It is stochastic: not monotone, it decreases in expectation.
 *
 * The same engine learns W from a stream of batches (`learnStream`) without ever holding V or H:
 * every batch then needs fresh restarts. Activations of any part are computed afterwards with W
 * frozen (e.g. by `mu`).
 *
 * Floors: factors at ε (float32 epsilon) after each update, Λ at ε² where a negative power is
 * taken (mu's defaults; scikit-learn zeroes entries below float64 epsilon for β ≤ 1 instead).
 */

export interface OnlineMuOptions {
  divergence: Divergence;
  batchSize?: number;
  forgetFactor?: number;
  freshRestarts?: boolean;
  innerIterations?: number;
  innerTol?: number;
  initializer?: Initializer;
  eps?: number;
  freezeW?: boolean | number[];
  freezeH?: boolean;
  /** Added to every data entry (for β ≤ 0 with zeros in the data), as mu's `offset`. */
  offset?: number;
}

type Buf = 'Vb' | 'Hb' | 'Hp' | 'Lb' | 'Ab' | 'Bb' | 'numH' | 'denH' | 'W' | 'numW' | 'denW' | 'SA' | 'SB' | 'G';

/** Per-batch buffers and the running statistics: memory independent of the number of frames. */
export class MiniBatchEngine {
  readonly F: number;
  readonly K: number;
  readonly batch: number;
  readonly beta: number;
  readonly gamma: number;
  rho: number;
  readonly eps: number;
  readonly lfloor: number;
  private readonly full: Record<Buf, Matrix>;
  private readonly part = new Map<number, Record<Buf, Matrix>>();
  /** Current F×K dictionary (a view into the workspace). */
  readonly W: Matrix;
  frozenCols: Uint8Array;
  private readonly div: Divergence;

  constructor(div: Divergence, F: number, K: number, batch: number, rho: number, eps: number) {
    if (div.beta === undefined) {
      throw new NmflabError(`online-mu needs a β-divergence, not ${div.id}`, {
        path: 'divergence',
        expected: 'beta, euclidean, kl or is',
        found: div.id,
      });
    }
    this.div = div;
    this.F = F;
    this.K = K;
    this.batch = batch;
    this.beta = div.beta;
    this.gamma = div.mmExponent ?? mmExponent(div.beta);
    this.rho = rho;
    this.eps = eps;
    this.lfloor = eps * eps;
    const b = batch;
    const shapes: Record<Buf, [number, number]> = {
      Vb: [F, b],
      Hb: [K, b],
      Hp: [K, b],
      Lb: [F, b],
      Ab: [F, b],
      Bb: [this.beta === 1 || this.beta === 2 ? 0 : F, b],
      numH: [K, b],
      denH: [K, b],
      W: [F, K],
      numW: [F, K],
      denW: [F, K],
      SA: [F, K],
      SB: [F, K],
      G: [K, K],
    };
    // The kernel backend places them where its products run without copies (one WASM memory, or
    // ordinary matrices beyond what it holds).
    const mats = selectKernels().mu.allocate(shapes) as Record<Buf, Matrix>;
    this.full = mats;
    this.W = mats.W;
    this.frozenCols = new Uint8Array(K);
  }

  /** Start from W₀: A = W₀, B = 1. */
  reset(W0: Matrix): void {
    this.W.data.set(W0.data);
    this.full.SA.data.set(W0.data);
    this.full.SB.data.fill(1);
  }

  /** The buffers for a batch of b ≤ batch frames (views of the same workspace memory). */
  bufs(b: number): Record<Buf, Matrix> {
    if (b === this.batch) return this.full;
    let p = this.part.get(b);
    if (!p) {
      const view = (m: Matrix) => (m.cols === this.batch ? new Matrix(m.rows, b, m.data.subarray(0, m.rows * b)) : m);
      p = Object.fromEntries(Object.entries(this.full).map(([k, m]) => [k, view(m)])) as Record<Buf, Matrix>;
      this.part.set(b, p);
    }
    return p;
  }

  /** A = V⊙Λ^{β−2}, B = Λ^{β−1} of the batch (Λ in Lb), Λ floored at ε² where the power is negative. */
  private weights(m: Record<Buf, Matrix>): void {
    const L = m.Lb.data,
      V = m.Vb.data,
      A = m.Ab.data,
      B = m.Bb.data;
    const beta = this.beta,
      fl = this.lfloor,
      n = m.Vb.data.length;
    if (beta === 1) {
      for (let i = 0; i < n; i++) {
        const l = L[i];
        A[i] = V[i] / (l > fl ? l : fl);
      }
    } else if (beta === 0) {
      for (let i = 0; i < n; i++) {
        const l = L[i];
        const r = 1 / (l > fl ? l : fl);
        B[i] = r;
        A[i] = r * r * V[i];
      }
    } else {
      const b2 = beta - 2;
      for (let i = 0; i < n; i++) {
        const l = L[i],
          ln = l > fl ? l : fl;
        const pw = Math.pow(ln, b2);
        A[i] = pw * V[i];
        B[i] = pw * (beta - 1 < 0 ? ln : l);
      }
    }
  }

  /** One MU step of H_B with W fixed. */
  private stepH(m: Record<Buf, Matrix>): void {
    const { K } = this;
    const b = m.Hb.cols;
    if (this.beta === 2) {
      matmulTN(this.W, m.Vb, m.numH);
      matmulTN(this.W, this.W, m.G);
      matmul(m.G, m.Hb, m.denH);
    } else {
      matmul(this.W, m.Hb, m.Lb);
      this.weights(m);
      matmulTN(this.W, m.Ab, m.numH);
      if (this.beta === 1) {
        const w = this.W.data,
          d = m.denH.data;
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let f = 0; f < this.F; f++) s += w[f * K + k];
          d.fill(s, k * b, (k + 1) * b);
        }
      } else {
        matmulTN(this.W, m.Bb, m.denH);
      }
    }
    applyMu(m.Hb.data, m.numH.data, m.denH.data, this.gamma, this.eps);
  }

  /** Activations of the batch in Vb with W fixed: one step from Hb, or a fresh restart. Returns the steps taken. */
  solveH(b: number, fresh: boolean, iterations: number, tol: number): number {
    const m = this.bufs(b);
    if (!fresh) {
      this.stepH(m);
      return 1;
    }
    let mean = 0;
    const V = m.Vb.data;
    for (let i = 0; i < V.length; i++) mean += V[i];
    mean /= V.length;
    const h0 = Math.max(Math.sqrt(mean / this.K), this.eps);
    m.Hb.data.fill(h0);
    const H = m.Hb.data,
      P = m.Hp.data;
    for (let it = 1; it <= iterations; it++) {
      P.set(H);
      this.stepH(m);
      if (tol > 0) {
        let dn = 0,
          hn = 0;
        for (let i = 0; i < H.length; i++) {
          const d = H[i] - P[i];
          dn += d * d;
          hn += H[i] * H[i];
        }
        if (dn <= tol * tol * hn) return it;
      }
    }
    return iterations;
  }

  /** Fold the batch (Vb, Hb) into the running sums and update W. */
  updateW(b: number): void {
    const m = this.bufs(b);
    const { F, K } = this;
    if (this.beta === 2) {
      matmulNT(m.Vb, m.Hb, m.numW);
      matmulNT(m.Hb, m.Hb, m.G);
      matmul(this.W, m.G, m.denW);
    } else {
      matmul(this.W, m.Hb, m.Lb);
      this.weights(m);
      matmulNT(m.Ab, m.Hb, m.numW);
      if (this.beta === 1) {
        const h = m.Hb.data,
          d = m.denW.data;
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let j = 0; j < b; j++) s += h[k * b + j];
          for (let f = 0; f < F; f++) d[f * K + k] = s;
        }
      } else {
        matmulNT(m.Bb, m.Hb, m.denW);
      }
    }
    const W = this.W.data,
      A = m.SA.data,
      B = m.SB.data,
      num = m.numW.data,
      den = m.denW.data;
    const g = this.gamma,
      rho = this.rho,
      eps = this.eps,
      fr = this.frozenCols;
    for (let i = 0; i < W.length; i++) {
      if (fr[i % K] === 1) continue;
      const w = W[i];
      const wg = g === 1 ? w : Math.pow(w, 1 / g);
      const d = den[i];
      A[i] = rho * A[i] + num[i] * wg;
      B[i] = rho * B[i] + (d > 0 ? d : eps);
      const r = A[i] / B[i];
      const x = g === 1 ? r : g === 0.5 ? Math.sqrt(r) : Math.pow(r, g);
      W[i] = x > eps ? x : eps;
    }
  }

  /** Σ d(V_B | W H_B) of the batch in Vb, Hb. */
  batchCost(b: number): number {
    const m = this.bufs(b);
    matmul(this.W, m.Hb, m.Lb);
    return this.div.value(m.Vb.data, m.Lb.data);
  }
}

/** H ← max(ε, H ⊙ (num/den)^γ), a zero denominator read as ε (as mu). */
function applyMu(H: Float64Array, num: Float64Array, den: Float64Array, g: number, eps: number): void {
  for (let i = 0; i < H.length; i++) {
    const d = den[i];
    const r = num[i] / (d > 0 ? d : eps);
    const x = H[i] * (g === 1 ? r : g === 0.5 ? Math.sqrt(r) : Math.pow(r, g));
    H[i] = x > eps ? x : eps;
  }
}

/** Copy columns [j0, j0 + b) of X (rows × N) into out (rows × b). */
function readCols(X: Matrix, j0: number, out: Matrix): void {
  const b = out.cols,
    N = X.cols,
    x = X.data,
    o = out.data;
  for (let r = 0; r < X.rows; r++) o.set(x.subarray(r * N + j0, r * N + j0 + b), r * b);
}

function writeCols(src: Matrix, X: Matrix, j0: number): void {
  const b = src.cols,
    N = X.cols,
    x = X.data,
    s = src.data;
  for (let r = 0; r < X.rows; r++) x.set(s.subarray(r * b, (r + 1) * b), r * N + j0);
}

export interface OnlineMuState {
  F: number;
  N: number;
  K: number;
  V: Matrix;
  H: Matrix;
  engine: MiniBatchEngine;
  freezeAllW: boolean;
  freezeH: boolean;
  /** Fresh restarts of the first pass: the stored H has not been fitted yet. */
  iteration: number;
}

export interface StreamResult {
  W: Matrix;
  /** Mean batch cost Σd(V_B|W H_B)/frames of each pass (H_B fitted to the W before the batch's W update). */
  passCosts: number[];
  frames: number;
  batches: number;
  seconds: number;
}

export class OnlineMuSolver implements Solver<OnlineMuState> {
  readonly id = 'online-mu';
  readonly monotone = false;
  private readonly div: Divergence;
  readonly batchSize: number;
  readonly forgetFactor: number;
  readonly freshRestarts: boolean;
  readonly innerIterations: number;
  readonly innerTol: number;
  private readonly initializer?: Initializer;
  private readonly eps: number;
  private readonly freezeW: boolean | number[];
  private readonly freezeHOpt: boolean;
  private readonly offset: number;

  constructor(o: OnlineMuOptions) {
    if (o.divergence.beta === undefined) {
      throw new NmflabError(`online-mu needs a β-divergence, not ${o.divergence.id}`, {
        path: 'divergence',
        expected: 'beta, euclidean, kl or is',
        found: o.divergence.id,
      });
    }
    this.div = o.divergence;
    this.batchSize = o.batchSize ?? 1024;
    this.forgetFactor = o.forgetFactor ?? 0.7;
    this.freshRestarts = o.freshRestarts ?? false;
    this.innerIterations = o.innerIterations ?? 30;
    this.innerTol = o.innerTol ?? 1e-4;
    this.initializer = o.initializer;
    this.eps = o.eps ?? 1.1920928955078125e-7;
    this.freezeW = o.freezeW ?? false;
    this.freezeHOpt = o.freezeH ?? false;
    this.offset = o.offset ?? 0;
  }

  /** Copy frames [j0, j0 + b) of X into the batch buffer, plus the offset. */
  private load(X: Matrix, j0: number, out: Matrix): void {
    readCols(X, j0, out);
    const off = this.offset;
    if (off !== 0) for (let i = 0; i < out.data.length; i++) out.data[i] += off;
  }

  private checkData(V: Float64Array, cols: number, first = 0, added = this.offset): void {
    let zeros = 0;
    for (let i = 0; i < V.length; i++) {
      const v = V[i] - added;
      if (!Number.isFinite(v) || v < 0) {
        throw new NmflabError('data must be finite and non-negative', {
          path: `V[${Math.floor(i / cols)}][${(i % cols) + first}]`,
          expected: 'a finite number ≥ 0',
          found: String(v),
        });
      }
      if (v + this.offset === 0) zeros++;
    }
    if (zeros > 0 && this.div.needsPositiveData) {
      throw new NmflabError(`the data has ${zeros} zero entries, undefined for the ${this.div.id} divergence`, {
        path: 'V',
        expected: 'strictly positive data (β ≤ 0)',
        found: `${zeros} zeros`,
        hint: 'set the solver parameter offset (V ← V + offset), or choose β > 0',
      });
    }
  }

  init(problem: Problem, rng: Rng): OnlineMuState {
    const V = problem.V,
      K = problem.rank,
      F = V.rows,
      N = V.cols;
    if (!Number.isInteger(K) || K < 1)
      throw new NmflabError('invalid rank', { path: 'rank', expected: 'an integer ≥ 1', found: String(K) });
    if (F === 0 || N === 0)
      throw new NmflabError('empty data matrix', {
        path: 'V',
        expected: 'at least one row and one column',
        found: `${F}×${N}`,
      });
    if (problem.mask)
      throw new NmflabError('online-mu takes no mask', {
        path: 'mask',
        expected: 'no mask (use mu or hals for weighted NMF)',
        found: 'a mask',
      });
    this.checkData(V.data, N, 0, 0); // the raw data: the offset is added batch by batch
    const { W, H } = initialFactors(problem, V, K, this.initializer, rng);
    const b = Math.min(this.batchSize, N);
    const engine = new MiniBatchEngine(this.div, F, K, b, Math.pow(this.forgetFactor, b / N), this.eps);
    engine.reset(W);
    const fw = problem.freezeW ?? this.freezeW;
    if (fw === true) engine.frozenCols.fill(1);
    else if (Array.isArray(fw)) {
      for (const c of fw) {
        if (!Number.isInteger(c) || c < 0 || c >= K)
          throw new NmflabError('frozen column out of range', {
            path: 'freezeW',
            expected: `column indices in 0..${K - 1}`,
            found: String(c),
          });
        engine.frozenCols[c] = 1;
      }
    }
    return {
      F,
      N,
      K,
      V,
      H,
      engine,
      freezeAllW: engine.frozenCols.every((x) => x === 1),
      freezeH: problem.freezeH ?? this.freezeHOpt,
      iteration: 0,
    };
  }

  /** One pass over the batches. */
  step(s: OnlineMuState): void {
    const e = s.engine,
      bs = e.batch;
    for (let j0 = 0; j0 < s.N; j0 += bs) {
      const b = Math.min(bs, s.N - j0);
      const m = e.bufs(b);
      this.load(s.V, j0, m.Vb);
      readCols(s.H, j0, m.Hb);
      if (!s.freezeH) e.solveH(b, this.freshRestarts, this.innerIterations, this.innerTol);
      if (!s.freezeAllW) e.updateW(b);
      writeCols(m.Hb, s.H, j0);
    }
    s.iteration++;
  }

  objective(s: OnlineMuState): Objective {
    const e = s.engine,
      bs = e.batch;
    let t = 0;
    for (let j0 = 0; j0 < s.N; j0 += bs) {
      const b = Math.min(bs, s.N - j0);
      const m = e.bufs(b);
      this.load(s.V, j0, m.Vb);
      readCols(s.H, j0, m.Hb);
      t += e.batchCost(b);
    }
    return { total: t, terms: { data: t } };
  }

  result(s: OnlineMuState): SolverResult {
    return { W: s.engine.W.clone(), H: s.H.clone() };
  }

  /**
   * Learn W (F×K) from batches of frames that are never held together: `passes` calls of
   * `batches()` (each a fresh iterator over the whole recording), fresh restarts for every batch.
   * `frames` is the number of frames per pass (for ρ). W starts from the initializer applied to
   * the first batch (or W0).
   */
  learnStream(
    batches: () => Iterable<Matrix>,
    o: {
      rank: number;
      frames: number;
      passes?: number;
      rng: Rng;
      W0?: Matrix;
      onPass?: (pass: number, cost: number) => void;
    },
  ): StreamResult {
    const t0 = performance.now();
    const K = o.rank,
      passes = o.passes ?? 1;
    let engine: MiniBatchEngine | undefined;
    const passCosts: number[] = [];
    let count = 0;
    let seen = 0;
    for (let p = 0; p < passes; p++) {
      let cost = 0,
        frames = 0,
        col = 0;
      for (const X of batches()) {
        if (!engine) {
          const b = Math.min(this.batchSize, o.frames);
          engine = new MiniBatchEngine(this.div, X.rows, K, b, Math.pow(this.forgetFactor, b / o.frames), this.eps);
          let W0 = o.W0;
          if (!W0) {
            if (!this.initializer) throw new NmflabError('no initial dictionary', { expected: 'W0 or an initializer' });
            W0 = this.initializer.init(X, K, o.rng).W;
          }
          engine.reset(W0);
        }
        if (X.rows !== engine.F)
          throw new NmflabError('stream batches change their number of rows', {
            expected: `${engine.F} rows`,
            found: `${X.rows}`,
          });
        // Batches of any size are cut to the engine's batch size.
        for (let j0 = 0; j0 < X.cols; j0 += engine.batch) {
          const b = Math.min(engine.batch, X.cols - j0);
          const m = engine.bufs(b);
          this.load(X, j0, m.Vb);
          this.checkData(m.Vb.data, b, col + j0);
          engine.solveH(b, true, this.innerIterations, this.innerTol);
          cost += engine.batchCost(b);
          engine.updateW(b);
          frames += b;
          count++;
        }
        col += X.cols;
      }
      if (frames === 0) throw new NmflabError('the stream gave no frames', { expected: 'at least one frame' });
      seen = frames;
      passCosts.push(cost / frames);
      o.onPass?.(p + 1, cost / frames);
    }
    return { W: engine!.W.clone(), passCosts, frames: seen, batches: count, seconds: (performance.now() - t0) / 1000 };
  }
}

interface OnlineMuParams {
  divergence: PluginRef;
  batchSize: number;
  forgetFactor: number;
  freshRestarts: boolean;
  innerIterations: number;
  innerTol: number;
  initializer: PluginRef;
  eps: number;
  freezeW: boolean | number[];
  freezeH: boolean;
  offset: number;
}

export default definePlugin<'solver', OnlineMuParams>({
  meta: {
    kind: 'solver',
    id: 'online-mu',
    description:
      'Mini-batch / online MU for any β (Lefèvre, Bach & Févotte 2011; scikit-learn MiniBatchNMF): one iteration is one pass over the batches',
    params: {
      divergence: {
        description: 'a β-divergence d_β(V|WH) (beta, euclidean, kl, is)',
        plugin: 'divergence',
        default: 'kl',
      },
      batchSize: { description: 'frames (columns of V) per mini-batch', type: 'integer', minimum: 1, default: 1024 },
      forgetFactor: {
        description:
          'weight of past batches in the running sums after one full pass (ρ = forgetFactor^(batchSize/N) per batch); 1: no forgetting',
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: 0.7,
      },
      freshRestarts: {
        description:
          'solve each batch’s activations from a constant start (up to innerIterations steps) instead of one step from their previous values',
        type: 'boolean',
        default: false,
      },
      innerIterations: {
        description:
          'most MU steps per batch for the activations with fresh restarts (scikit-learn fresh_restarts_max_iter)',
        type: 'integer',
        minimum: 1,
        default: 30,
      },
      innerTol: {
        description: 'stop a fresh restart when ‖ΔH_B‖/‖H_B‖ ≤ innerTol (0: always innerIterations steps)',
        type: 'number',
        minimum: 0,
        default: 1e-4,
      },
      initializer: {
        description: 'how W and H start when the problem gives no W0/H0',
        plugin: 'initializer',
        default: 'random',
      },
      eps: {
        description:
          'ε: floor of the factors and value of zero denominators (Λ is floored at ε² where a negative power is taken)',
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: 1.1920928955078125e-7,
      },
      freezeW: {
        description: 'keep W fixed (true) or only the listed column indices',
        type: ['boolean', 'array'],
        items: { type: 'integer', minimum: 0 },
        default: false,
      },
      freezeH: { description: 'keep H fixed', type: 'boolean', default: false },
      offset: {
        description: 'add this to V before fitting (for β ≤ 0 with zeros in the data)',
        type: 'number',
        minimum: 0,
        default: 0,
      },
    },
  },
  create(p, ctx) {
    const divergence = ctx.registry.instantiate('divergence', p.divergence, {
      file: ctx.file,
      path: `${ctx.path}.divergence`,
    });
    const initializer = ctx.registry.instantiate('initializer', p.initializer, {
      file: ctx.file,
      path: `${ctx.path}.initializer`,
    });
    if (divergence.beta === undefined) {
      throw new NmflabError(`online-mu needs a β-divergence, not ${divergence.id}`, {
        file: ctx.file,
        path: `${ctx.path}.divergence`,
        expected: 'beta, euclidean, kl or is',
        found: divergence.id,
      });
    }
    return new OnlineMuSolver({
      divergence,
      batchSize: p.batchSize,
      forgetFactor: p.forgetFactor,
      freshRestarts: p.freshRestarts,
      innerIterations: p.innerIterations,
      innerTol: p.innerTol,
      initializer,
      eps: p.eps,
      freezeW: p.freezeW,
      freezeH: p.freezeH,
      offset: p.offset,
    });
  },
});
