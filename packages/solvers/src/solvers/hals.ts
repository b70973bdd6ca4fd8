import {
  type Matrix,
  NmflabError,
  definePlugin,
  matmul,
  matmulNT,
  matmulTN,
  selectKernels,
  type InitHooks,
  type Initializer,
  type Objective,
  type PluginRef,
  type Problem,
  type Regularizer,
  type Rng,
  type Solver,
  type SolverResult,
} from '@nmflab/core';
import { checkInitialFactors, initialFactors } from '../shared.js';

/**
 * HALS / cyclic coordinate descent for ½‖M⊙(V − WH)‖² + Σ penalties (Cichocki & Phan 2009;
 * scikit-learn's `solver='cd'`). Each iteration updates every column of W, then every row of H,
 * one component k at a time, each by the exact minimizer of the objective in that column (row)
 * with the others fixed, projected on x ≥ 0:
 *
 *   w_fk ← max(0, w_fk − g_fk / (G_kk + 2q)),   g_fk = −(VHᵀ)_fk + Σ_r w_fr G_rk + 2q w_fk + l,   G = HHᵀ
 *
 * and symmetrically for H with G = WᵀW and WᵀV. The entries of one column do not interact, so the
 * column step is exact; the K columns in turn make one block coordinate descent pass. The
 * products VHᵀ, HHᵀ, WᵀV, WᵀW are the fast ones mu's β = 2 path uses, so one iteration costs
 * about one Euclidean MU iteration; the K²(F + N) coordinate work is small beside them.
 *
 * Penalties: each regularizer's majorizer q x² + l x at the current entry (exact for l1, q = 0,
 * l = λ, and for l2, q = λ/2, l = 0: scikit-learn's "XHᵀ − l1" and "diag(HHᵀ) + l2"). The step
 * minimizes data term plus majorizer exactly, so every step decreases the objective (MM). No
 * normalization is applied (as scikit-learn): a penalty on one factor alone can be evaded by
 * scaling the other.
 *
 * Masks (weighted HALS): the Gram form does not hold, so the residual R = V − WH is kept and each
 * column update reads Σ_n M R h and Σ_n M h² directly (O(FNK) scalar work per iteration, slower
 * than the Gram path).
 *
 * Objective: after the H pass the Grams give ½(‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩) for K²N work,
 * and that HHᵀ is the next W pass's Gram. It cancels when the fit is near exact, so below
 * 10⁻³·½‖V‖² (relative rounding then ≲ 10⁻¹³) it is recomputed from Λ = WH.
 */

export type HalsFloor = 'zero' | 'eps';

export interface HalsOptions {
  regularizers?: Regularizer[];
  initializer?: Initializer;
  /** Visit the K components in a fresh seeded random order each pass (scikit-learn's `shuffle`). */
  shuffle?: boolean;
  /** Lower bound of the entries: 0 (scikit-learn) or ε (Cichocki & Phan: no column can die). */
  floor?: HalsFloor;
  eps?: number;
  freezeW?: boolean | number[];
  freezeH?: boolean;
}

export interface HalsState {
  F: number;
  N: number;
  K: number;
  V: Matrix;
  M?: Float64Array;
  W: Matrix;
  H: Matrix;
  /** K×K: WᵀW or HHᵀ of the pass in progress. */
  G: Matrix;
  /** K×K: HHᵀ of the current H (valid when `hhFresh`). */
  HH: Matrix;
  /** F×K VHᵀ, K×N WᵀV. */
  VH: Matrix;
  WV: Matrix;
  /** F×N: Λ = WH (objective fallback), and the residual V − WH on the mask path. */
  L: Matrix;
  /** ‖V‖² (unmasked) for the Gram objective. */
  vv: number;
  /** HH holds H Hᵀ of the current H; G and WV hold WᵀW and WᵀV of the current W, H unchanged since. */
  hhFresh: boolean;
  gramObjective: boolean;
  row: Float64Array;
  row2: Float64Array;
  order: Int32Array;
  rng: Rng;
  frozenCols: Uint8Array;
  freezeAllW: boolean;
  freezeH: boolean;
  iteration: number;
}

const SCRATCH = new Float64Array(2);

export class HalsSolver implements Solver<HalsState> {
  readonly id = 'hals';
  readonly monotone = true;
  private readonly regs: Regularizer[];
  private readonly regsW: Regularizer[];
  private readonly regsH: Regularizer[];
  private readonly regNames: string[];
  private readonly initializer?: Initializer;
  private readonly shuffle: boolean;
  private readonly lo: number;
  private readonly freezeW: boolean | number[];
  private readonly freezeHOpt: boolean;

  constructor(o: HalsOptions = {}) {
    this.regs = o.regularizers ?? [];
    this.regsW = this.regs.filter((r) => r.target === 'W');
    this.regsH = this.regs.filter((r) => r.target === 'H');
    const counts = new Map<string, number>();
    this.regNames = this.regs.map((r) => {
      const base = `${r.id}(${r.target})`;
      const c = (counts.get(base) ?? 0) + 1;
      counts.set(base, c);
      return c === 1 ? base : `${base}#${c}`;
    });
    this.initializer = o.initializer;
    this.shuffle = o.shuffle ?? false;
    this.lo = (o.floor ?? 'zero') === 'eps' ? (o.eps ?? 1.1920928955078125e-7) : 0;
    this.freezeW = o.freezeW ?? false;
    this.freezeHOpt = o.freezeH ?? false;
  }

  init(problem: Problem, rng: Rng, hooks?: InitHooks): HalsState {
    const V0 = problem.V;
    const K = problem.rank,
      F = V0.rows,
      N = V0.cols;
    if (!Number.isInteger(K) || K < 1)
      throw new NmflabError('invalid rank', { path: 'rank', expected: 'an integer ≥ 1', found: String(K) });
    if (F === 0 || N === 0)
      throw new NmflabError('empty data matrix', {
        path: 'V',
        expected: 'at least one row and one column',
        found: `${F}×${N}`,
      });
    if (problem.mask && !problem.mask.sameShape(V0)) {
      throw new NmflabError('mask shape differs from the data', {
        path: 'mask',
        expected: `${F}×${N}`,
        found: `${problem.mask.rows}×${problem.mask.cols}`,
      });
    }
    const M = problem.mask?.data;
    for (let i = 0; i < V0.data.length; i++) {
      const m = M ? M[i] : 1;
      if (M && (!(m >= 0) || !Number.isFinite(m))) {
        throw new NmflabError('invalid mask weight', {
          path: `mask[${Math.floor(i / N)}][${i % N}]`,
          expected: 'a finite number ≥ 0',
          found: String(m),
        });
      }
      const v = V0.data[i];
      if (m !== 0 && (!Number.isFinite(v) || v < 0)) {
        throw new NmflabError('data must be finite and non-negative', {
          path: `V[${Math.floor(i / N)}][${i % N}]`,
          expected: 'a finite number ≥ 0',
          found: String(v),
        });
      }
    }
    const { W, H } = initialFactors(problem, V0, K, this.initializer, rng, hooks);
    checkInitialFactors(W, H);
    const fw = problem.freezeW ?? this.freezeW;
    const frozenCols = new Uint8Array(K);
    if (fw === true) frozenCols.fill(1);
    else if (Array.isArray(fw)) {
      for (const c of fw) {
        if (!Number.isInteger(c) || c < 0 || c >= K)
          throw new NmflabError('frozen column out of range', {
            path: 'freezeW',
            expected: `column indices in 0..${K - 1}`,
            found: String(c),
          });
        frozenCols[c] = 1;
      }
    }
    // Products among workspace matrices run in place (WASM or the OpenBLAS addon), no copies.
    const shapes: Record<'V' | 'W' | 'H' | 'G' | 'HH' | 'VH' | 'WV' | 'L', [number, number]> = {
      V: [F, N],
      W: [F, K],
      H: [K, N],
      G: [K, K],
      HH: [K, K],
      VH: [F, K],
      WV: [K, N],
      L: [F, N],
    };
    // The kernel backend places them where its products run without copies (one WASM memory, or
    // ordinary matrices beyond what it holds).
    const mats = selectKernels().mu.allocate(shapes) as Record<keyof typeof shapes, Matrix>;
    const V = mats.V;
    V.data.set(V0.data);
    if (M)
      for (let i = 0; i < M.length; i++)
        if (M[i] === 0 && !(V.data[i] >= 0 && Number.isFinite(V.data[i]))) V.data[i] = 0;
    mats.W.data.set(W.data);
    mats.H.data.set(H.data);
    let vv = 0;
    for (let i = 0; i < V.data.length; i++) vv += V.data[i] * V.data[i];
    const s: HalsState = {
      F,
      N,
      K,
      V,
      M,
      W: mats.W,
      H: mats.H,
      G: mats.G,
      HH: mats.HH,
      VH: mats.VH,
      WV: mats.WV,
      L: mats.L,
      vv,
      hhFresh: false,
      gramObjective: false,
      row: new Float64Array(Math.max(N, F)),
      row2: new Float64Array(Math.max(N, F)),
      order: new Int32Array(K).map((_, i) => i),
      rng: rng.fork('hals-order'),
      frozenCols,
      freezeAllW: frozenCols.every((x) => x === 1),
      freezeH: problem.freezeH ?? this.freezeHOpt,
      iteration: 0,
    };
    if (M) this.residual(s);
    return s;
  }

  /** The next component order: 0…K−1, or a seeded permutation (Fisher–Yates, no allocation). */
  private nextOrder(s: HalsState): Int32Array {
    const o = s.order;
    if (!this.shuffle) return o;
    for (let i = 0; i < o.length; i++) o[i] = i;
    for (let i = o.length - 1; i > 0; i--) {
      const j = s.rng.int(i + 1);
      const t = o[i];
      o[i] = o[j];
      o[j] = t;
    }
    return o;
  }

  /** Σ of the majorizer coefficients (q, l) of `regs` at x̄, into SCRATCH. */
  private static majorize(regs: Regularizer[], xbar: number): void {
    let q = 0,
      l = 0;
    for (let r = 0; r < regs.length; r++) {
      regs[r].majorize(xbar, SCRATCH);
      q += SCRATCH[0];
      l += SCRATCH[1];
    }
    SCRATCH[0] = q;
    SCRATCH[1] = l;
  }

  step(s: HalsState): void {
    if (s.M) {
      this.stepMasked(s);
      s.iteration++;
      return;
    }
    const { F, N, K } = s;
    const lo = this.lo;
    if (!s.freezeAllW) {
      const G = s.G.data,
        W = s.W.data,
        VH = s.VH.data;
      if (s.hhFresh) G.set(s.HH.data);
      else matmulNT(s.H, s.H, s.G);
      matmulNT(s.V, s.H, s.VH);
      const regs = this.regsW,
        nr = regs.length;
      const order = this.nextOrder(s);
      for (let t = 0; t < K; t++) {
        const k = order[t];
        if (s.frozenCols[k] === 1) continue;
        const a = G[k * K + k];
        const gk = k * K; // G is symmetric: row k is column k
        for (let f = 0; f < F; f++) {
          const wr = f * K;
          let g = -VH[wr + k];
          for (let r = 0; r < K; r++) g += G[gk + r] * W[wr + r];
          const xbar = W[wr + k];
          let hess = a;
          if (nr > 0) {
            HalsSolver.majorize(regs, xbar);
            hess += 2 * SCRATCH[0];
            g += 2 * SCRATCH[0] * xbar + SCRATCH[1];
          }
          if (hess > 0) {
            const x = xbar - g / hess;
            W[wr + k] = x > lo ? x : lo;
          }
        }
      }
      s.hhFresh = false;
    }
    if (!s.freezeH) {
      const G = s.G.data,
        H = s.H.data,
        WV = s.WV.data,
        acc = s.row;
      matmulTN(s.W, s.W, s.G);
      matmulTN(s.W, s.V, s.WV);
      const regs = this.regsH,
        nr = regs.length;
      const order = this.nextOrder(s);
      for (let t = 0; t < K; t++) {
        const k = order[t];
        const a = G[k * K + k];
        const hk = k * N;
        // Row k's gradient, accumulated row by row of H (contiguous), in the order Σ_r of the W pass.
        for (let n = 0; n < N; n++) acc[n] = -WV[hk + n];
        for (let r = 0; r < K; r++) {
          const gr = G[k * K + r];
          const hr = r * N;
          for (let n = 0; n < N; n++) acc[n] += gr * H[hr + n];
        }
        if (nr === 0) {
          if (!(a > 0)) continue;
          for (let n = 0; n < N; n++) {
            const x = H[hk + n] - acc[n] / a;
            H[hk + n] = x > lo ? x : lo;
          }
        } else {
          for (let n = 0; n < N; n++) {
            const xbar = H[hk + n];
            HalsSolver.majorize(regs, xbar);
            const hess = a + 2 * SCRATCH[0];
            if (!(hess > 0)) continue;
            const x = xbar - (acc[n] + 2 * SCRATCH[0] * xbar + SCRATCH[1]) / hess;
            H[hk + n] = x > lo ? x : lo;
          }
        }
      }
      // HHᵀ of the new H: the objective's Gram term and the next W pass's Gram.
      matmulNT(s.H, s.H, s.HH);
      s.hhFresh = true;
    }
    s.gramObjective = !s.freezeH;
    s.iteration++;
  }

  /** R = V − WH into L (mask path). */
  private residual(s: HalsState): void {
    matmul(s.W, s.H, s.L);
    const R = s.L.data,
      V = s.V.data;
    for (let i = 0; i < R.length; i++) R[i] = V[i] - R[i];
  }

  /** Weighted HALS: column k of W then row k of H read M⊙R directly; R is updated in place. */
  private stepMasked(s: HalsState): void {
    const { F, N, K } = s;
    const M = s.M!,
      R = s.L.data,
      W = s.W.data,
      H = s.H.data,
      lo = this.lo;
    this.residual(s); // fresh each iteration: no drift from the in-place updates
    if (!s.freezeAllW) {
      const regs = this.regsW,
        nr = regs.length;
      const order = this.nextOrder(s);
      for (let t = 0; t < K; t++) {
        const k = order[t];
        if (s.frozenCols[k] === 1) continue;
        const hk = k * N;
        for (let f = 0; f < F; f++) {
          const o = f * N;
          let num = 0,
            den = 0;
          for (let n = 0; n < N; n++) {
            const mh = M[o + n] * H[hk + n];
            num += mh * R[o + n];
            den += mh * H[hk + n];
          }
          const xbar = W[f * K + k];
          let g = -num,
            hess = den;
          if (nr > 0) {
            HalsSolver.majorize(regs, xbar);
            hess += 2 * SCRATCH[0];
            g += 2 * SCRATCH[0] * xbar + SCRATCH[1];
          }
          if (!(hess > 0)) continue;
          let x = xbar - g / hess;
          if (!(x > lo)) x = lo;
          const d = x - xbar;
          if (d !== 0) for (let n = 0; n < N; n++) R[o + n] -= d * H[hk + n];
          W[f * K + k] = x;
        }
      }
    }
    if (!s.freezeH) {
      const regs = this.regsH,
        nr = regs.length;
      const num = s.row,
        den = s.row2;
      const order = this.nextOrder(s);
      for (let t = 0; t < K; t++) {
        const k = order[t];
        const hk = k * N;
        num.fill(0, 0, N);
        den.fill(0, 0, N);
        for (let f = 0; f < F; f++) {
          const w = W[f * K + k];
          if (w === 0) continue;
          const o = f * N;
          for (let n = 0; n < N; n++) {
            const mw = M[o + n] * w;
            num[n] += mw * R[o + n];
            den[n] += mw * w;
          }
        }
        // num becomes the step d_n = h_new − h̄ (read back by the residual update below).
        for (let n = 0; n < N; n++) {
          const xbar = H[hk + n];
          let g = -num[n],
            hess = den[n];
          if (nr > 0) {
            HalsSolver.majorize(regs, xbar);
            hess += 2 * SCRATCH[0];
            g += 2 * SCRATCH[0] * xbar + SCRATCH[1];
          }
          let x = xbar;
          if (hess > 0) {
            x = xbar - g / hess;
            if (!(x > lo)) x = lo;
          }
          num[n] = x - xbar;
          H[hk + n] = x;
        }
        for (let f = 0; f < F; f++) {
          const w = W[f * K + k];
          if (w === 0) continue;
          const o = f * N;
          for (let n = 0; n < N; n++) R[o + n] -= w * num[n];
        }
      }
    }
  }

  model(s: HalsState): Matrix {
    matmul(s.W, s.H, s.L);
    if (s.M) s.gramObjective = false;
    return s.L;
  }

  private dataTerm(s: HalsState): number {
    const { K } = s;
    if (!s.M && s.gramObjective && s.hhFresh) {
      const G = s.G.data,
        HH = s.HH.data,
        WV = s.WV.data,
        H = s.H.data;
      let cross = 0,
        quad = 0;
      for (let i = 0; i < H.length; i++) cross += WV[i] * H[i];
      for (let i = 0; i < K * K; i++) quad += G[i] * HH[i];
      const v = 0.5 * (s.vv - 2 * cross + quad);
      if (v >= 1e-3 * 0.5 * s.vv) return v;
    }
    matmul(s.W, s.H, s.L);
    const L = s.L.data,
      V = s.V.data,
      M = s.M;
    let t = 0;
    if (M) {
      for (let i = 0; i < L.length; i++) {
        const d = V[i] - L[i];
        t += M[i] * d * d;
      }
    } else {
      for (let i = 0; i < L.length; i++) {
        const d = V[i] - L[i];
        t += d * d;
      }
    }
    return 0.5 * t;
  }

  objective(s: HalsState): Objective {
    const terms: Record<string, number> = { data: this.dataTerm(s) };
    let total = terms.data!;
    this.regs.forEach((r, i) => {
      const v = r.value(r.target === 'W' ? s.W.data : s.H.data);
      terms[this.regNames[i]] = v;
      total += v;
    });
    return { total, terms };
  }

  result(s: HalsState): SolverResult {
    return { W: s.W.clone(), H: s.H.clone() };
  }
}

interface HalsParams {
  regularizers: PluginRef[];
  initializer: PluginRef;
  shuffle: boolean;
  floor: HalsFloor;
  eps: number;
  freezeW: boolean | number[];
  freezeH: boolean;
}

export default definePlugin<'solver', HalsParams>({
  meta: {
    kind: 'solver',
    id: 'hals',
    description:
      'HALS / coordinate descent for ½‖V − WH‖² with L1/L2 penalties, masks and frozen factors (scikit-learn solver="cd")',
    params: {
      regularizers: {
        description:
          'penalties (l1, l2, lp), each on W or H; each coordinate step minimizes data term plus the penalty majorizer exactly',
        pluginList: 'regularizer',
        default: [],
      },
      initializer: {
        description: 'how W and H start when the problem gives no W0/H0',
        plugin: 'initializer',
        default: 'random',
      },
      shuffle: {
        description: 'visit the components in a new seeded random order each pass (scikit-learn shuffle=True)',
        type: 'boolean',
        default: false,
      },
      floor: {
        description: 'lower bound of the entries: zero (scikit-learn; a component can vanish) or eps (Cichocki & Phan)',
        type: 'string',
        enum: ['zero', 'eps'],
        default: 'zero',
      },
      eps: {
        description: 'ε of floor eps',
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: 1.1920928955078125e-7,
      },
      freezeW: {
        description: 'keep W fixed (true) or only the listed column indices (a dictionary learned earlier)',
        type: ['boolean', 'array'],
        items: { type: 'integer', minimum: 0 },
        default: false,
      },
      freezeH: { description: 'keep H fixed', type: 'boolean', default: false },
    },
  },
  create(p, ctx) {
    const regularizers = p.regularizers.map((r, i) =>
      ctx.registry.instantiate('regularizer', r, { file: ctx.file, path: `${ctx.path}.regularizers[${i}]` }),
    );
    const initializer = ctx.registry.instantiate('initializer', p.initializer, {
      file: ctx.file,
      path: `${ctx.path}.initializer`,
    });
    return new HalsSolver({
      regularizers,
      initializer,
      shuffle: p.shuffle,
      floor: p.floor,
      eps: p.eps,
      freezeW: p.freezeW,
      freezeH: p.freezeH,
    });
  },
});
