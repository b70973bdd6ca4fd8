import {
  Matrix,
  NmflabError,
  mmExponent,
  penalizedMMStep,
  selectKernels,
  type Divergence,
  type InitHooks,
  type Initializer,
  type MuKernels,
  type Objective,
  type Problem,
  type Regularizer,
  type Rng,
  type Solver,
  type SolverResult,
} from '@nmflab/core';
import { checkInitialFactors, initialFactors } from '../../shared.js';
import {
  SKLEARN_EPS,
  type FactorFloor,
  type MuMode,
  type MuOptions,
  type MuState,
  type Normalize,
  type Path,
} from './state.js';

export {
  SKLEARN_EPS,
  type FactorFloor,
  type ModelFloor,
  type MuMode,
  type MuOptions,
  type MuState,
  type Normalize,
} from './state.js';

/**
 * Multiplicative updates (MU) for Σ M⊙d(V|WH) + Σ penalties, for any divergence plugin through its
 * weight ζ = φ″ (Dhillon & Sra 2005; reference §2a, §2b, §2f). With Λ = WH:
 *
 *   H ← H ⊙ ( [Wᵀ(M⊙ζ(Λ)⊙V)] / [Wᵀ(M⊙ζ(Λ)⊙Λ)] )^γ,   W ← W ⊙ ( [(M⊙ζ(Λ)⊙V)Hᵀ] / [(M⊙ζ(Λ)⊙Λ)Hᵀ] )^γ
 *
 * For the β-divergence ζ(y) = y^{β−2}, so the numerator and denominator weights are V⊙Λ^{β−2} and
 * Λ^{β−1}. Mode `mm` uses the Févotte–Idier exponent γ(β) (1/(2−β) for β<1, 1 on [1,2], 1/(β−1) for
 * β>2), monotone for every β; mode `heuristic` uses γ = 1. Each iteration updates W, recomputes
 * Λ = WH, updates H and recomputes Λ (as scikit-learn does), so the objective is evaluated on the Λ
 * the next W update uses.
 *
 * Penalties, mm mode: with P, Q the denominator and numerator above at entry (k,n), the data
 * surrogate has gradient P t^a − Q t^b in t = h/h̄ ((a,b) = (0, β−2) for β<1, (β−1, β−2) on
 * [1,2], (β−1, 0) for β>2), and the regularizer's majorizer q h² + l h gives 2q h̄ t + l. The linear
 * part l ≥ 0 is itself majorized by l h̄ (t^{a+1}+a)/(a+1) (convex, tight at t=1), so it joins P.
 * The step is the exact root of (P+l) t^a + 2q h̄ t − Q t^b = 0: closed form when q = 0 (the
 * added-denominator form raised to γ); otherwise core's `penalizedMMStep` (shared with
 * `@nmflab/divergences`; called with a = P + l and l = 0): closed forms at β = 2 and β = 1, else
 * Newton–bisection in log t on [lo, t₀], t₀ = (Q/(P+l))^γ the unpenalized step. Mode `heuristic` adds l + 2q h̄ to the denominator, no exponent.
 *
 * Floors (ε = `eps`, float32 epsilon by default as scikit-learn). The MM step is the minimizer of
 * an auxiliary function built at Λ̄ = WH̄ itself (Jensen weights w h̄/Λ̄, tangent at Λ̄): it
 * decreases Σ d(V|Λ) only if the weights ζ(Λ̄) are taken at the true Λ̄. A floor of Λ at ε that
 * acts (Λ̄ < ε, which happens wherever the data are below ε, e.g. digital silence at an offset
 * 1e-8) makes the step the MM step of no function: it sees Λ = ε > V and pushes WH further down,
 * and the objective rises (EXPERIMENTS.md §1). Hence:
 * - Λ is floored at δ = ε² (`modelFloor: eps2`, default) where a negative power is taken. Once W
 *   and H have been updated their entries are ≥ ε (`factorFloor: eps`), so Λ ≥ K ε² ≥ δ and the
 *   floor never acts: it only guards zeros of initial factors (or of `factorFloor` zero/none,
 *   or of a frozen W: frozen columns keep their values, so Λ ≥ ε Σ_k W_fk on a frozen row).
 *   `modelFloor: eps` floors at ε as scikit-learn (same results where Λ ≥ ε, e.g. the parity
 *   fixture; not monotone below).
 * - A denominator is replaced by ε only where it is 0 (as scikit-learn): with positive factors it
 *   never is. Flooring it at ε (the former rule) shrinks the step wrongly when the data scale is
 *   small (Σ_f w Λ^{β−1} < ε, e.g. β = 2 on data ~1e-9) and broke monotonicity there.
 * - Factors are floored at ε after the update (`factorFloor: eps`): the per-entry auxiliary
 *   function is convex, so projecting its minimizer onto [ε, ∞) still decreases it from h̄ ≥ ε
 *   (an MM step on the set W, H ≥ ε).
 */

const SCRATCH = new Float64Array(2);

export class MuSolver implements Solver<MuState> {
  readonly id = 'mu';
  readonly monotone: boolean;
  private readonly div: Divergence;
  private readonly mode: MuMode;
  private readonly regs: Regularizer[];
  private readonly regsW: Regularizer[];
  private readonly regsH: Regularizer[];
  private readonly regNames: string[];
  private readonly normalize: Normalize;
  private readonly initializer?: Initializer;
  private readonly eps: number;
  /** δ: the floor of Λ where a negative power of it is taken (see `modelFloor`). */
  private readonly lfloor: number;
  private readonly factorFloor: FactorFloor;
  private readonly freezeW: boolean | number[];
  private readonly freezeHOpt: boolean;
  private readonly offset: number;
  private readonly path: Path;
  /** The divergence's own ε (d(V+ε|Λ+ε)): a frozen constant component ε·1·1ᵀ of the model. */
  private readonly shift: number;
  /** The divergence's φ″, bound once (no allocation per step). */
  private readonly weightFn?: (y: number) => number;
  /**
   * c when the divergence's value is exactly c·Σ(x − y)² (β = 2, no constant, no ε: probed once
   * on three points), else 0: the β = 2 objective then comes from the Gram identity.
   */
  private readonly gramObjective: number;
  /** True when the divergence's value is exactly KL (β = 1) or IS (β = 0) (probed): objective from the fused pass. */
  private readonly fusedObjective: boolean;
  /** Products and fused passes: one backend, chosen once here. */
  private readonly k: MuKernels;

  constructor(o: MuOptions) {
    this.k = o.kernels ?? selectKernels().mu;
    this.div = o.divergence;
    const d = o.divergence as Divergence & { dual?: boolean; weight?: (y: number) => number };
    if (d.dual === true || typeof d.weight !== 'function') {
      throw new NmflabError(`the ${d.id} divergence has no multiplicative update`, {
        path: 'divergence',
        expected: 'a right-argument divergence d(V|WH) with a weight φ″ (β family, Bregman)',
        found: d.dual === true ? 'a dual (left-argument) divergence' : 'no weight φ″',
      });
    }
    this.mode = o.mode ?? 'mm';
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
    this.normalize = o.normalize ?? 'auto';
    this.initializer = o.initializer;
    this.eps = o.eps ?? SKLEARN_EPS;
    this.lfloor = (o.modelFloor ?? 'eps2') === 'eps' ? this.eps : this.eps * this.eps;
    this.factorFloor = o.factorFloor ?? 'eps';
    this.freezeW = o.freezeW ?? false;
    this.freezeHOpt = o.freezeH ?? false;
    this.offset = o.offset ?? 0;
    this.shift = (o.divergence as { eps?: number }).eps ?? 0;
    const beta = this.div.beta;
    if (beta !== undefined) {
      this.path = { kind: 'beta', beta, gamma: this.mode === 'mm' ? (this.div.mmExponent ?? mmExponent(beta)) : 1 };
    } else {
      this.path = { kind: 'bregman', beta: NaN, gamma: this.mode === 'mm' ? (this.div.mmExponent ?? 1) : 1 };
    }
    // MM guarantee: a known exponent (β family or declared γ); the heuristic is MM on β ∈ [1, 2].
    const mmKnown =
      this.mode === 'mm'
        ? beta !== undefined || this.div.mmExponent !== undefined
        : beta !== undefined && beta >= 1 && beta <= 2 && this.regs.length === 0;
    // Rescaling between updates changes a penalty's value, so it voids the MM guarantee.
    const n = this.normalization();
    const rescales = this.regs.length > 0 && (n.W !== 'none' || n.H !== 'none');
    this.monotone = mmKnown && !rescales;
    this.weightFn = typeof d.weight === 'function' ? d.weight.bind(d) : undefined;
    this.gramObjective = 0;
    if (beta === 2 && this.shift === 0) {
      const v = (x: number, y: number) => this.div.value(Float64Array.of(x), Float64Array.of(y));
      const c = v(1, 0);
      if (c > 0 && v(0, 0) === 0 && v(3, 3) === 0 && v(0, 2) === 4 * c && v(5, 2) === 9 * c) this.gramObjective = c;
    }
    this.fusedObjective = false;
    if ((beta === 1 || beta === 0) && this.shift === 0) {
      const v = (x: number, y: number) => this.div.value(Float64Array.of(x), Float64Array.of(y));
      const f =
        beta === 1
          ? (x: number, y: number) => x * Math.log(x / y) - x + y
          : (x: number, y: number) => x / y - Math.log(x / y) - 1;
      this.fusedObjective =
        v(1, 1) === 0 && v(2, 1) === f(2, 1) && v(1, 3) === f(1, 3) && (beta === 0 || v(0, 3) === 3);
    }
  }

  /** Per-iteration normalization actually used (auto: the factor a one-sided penalty leaves free). */
  private normalization(): { W: 'none' | 'l1' | 'l2'; H: 'none' | 'l1' | 'l2' } {
    if (this.normalize === 'none') return { W: 'none', H: 'none' };
    const needH = this.regsH.some((r) => r.needsNormalization);
    const needW = this.regsW.some((r) => r.needsNormalization);
    if (this.normalize === 'auto') {
      if (needH && !needW && this.regsW.length === 0) return { W: 'l2', H: 'none' };
      if (needW && !needH && this.regsH.length === 0) return { W: 'none', H: 'l2' };
      return { W: 'none', H: 'none' };
    }
    // Explicit l1/l2: normalize the factor opposite to the penalized one (W when in doubt).
    if (this.regsW.length > 0 && this.regsH.length === 0) return { W: 'none', H: this.normalize };
    return { W: this.normalize, H: 'none' };
  }

  init(problem: Problem, rng: Rng, hooks?: InitHooks): MuState {
    const V0 = problem.V;
    const K = problem.rank;
    const F = V0.rows;
    const N = V0.cols;
    if (!Number.isInteger(K) || K < 1)
      throw new NmflabError('invalid rank', { path: 'rank', expected: 'an integer ≥ 1', found: String(K) });
    if (F === 0 || N === 0)
      throw new NmflabError('empty data matrix', {
        path: 'V',
        expected: 'at least one row and one column',
        found: `${F}×${N}`,
      });
    const M = problem.mask?.data;
    if (problem.mask && !problem.mask.sameShape(V0)) {
      throw new NmflabError('mask shape differs from the data', {
        path: 'mask',
        expected: `${F}×${N}`,
        found: `${problem.mask.rows}×${problem.mask.cols}`,
      });
    }
    if (M) {
      for (let i = 0; i < M.length; i++) {
        if (!(M[i] >= 0) || !Number.isFinite(M[i])) {
          throw new NmflabError('invalid mask weight', {
            path: `mask[${Math.floor(i / N)}][${i % N}]`,
            expected: 'a finite number ≥ 0',
            found: String(M[i]),
          });
        }
      }
    }
    // Every matrix a product touches is allocated by the kernels (one WASM memory for the wasm and
    // native backends): products run in place, no copies, no allocation per step. V is written
    // there directly. No F×N buffer the path does not use: the β = 2 and fused β = 1 / β = 0 paths
    // never store Λ or the weights (Λ is formed on demand, `freshL`; the fused passes need one
    // block of scratch); B is never read where the denominators are sums or Gram products.
    const beta = this.path.beta;
    const plain = this.path.kind === 'beta' && !M && this.shift === 0;
    const lean = plain && (beta === 2 || ((beta === 1 || beta === 0) && this.k.fused !== null));
    const sumsOnly = plain && (beta === 1 || beta === 2);
    const scratch = lean && beta !== 2 ? this.k.fusedScratch(F, N) : 0;
    const full = lean ? 0 : F;
    const shapes: Record<
      'V' | 'Vd' | 'W' | 'H' | 'L' | 'A' | 'B' | 'S' | 'S2' | 'numW' | 'denW' | 'numH' | 'denH' | 'gram' | 'gram2',
      [number, number]
    > = {
      V: [F, N],
      Vd: [this.shift > 0 ? F : 0, N],
      W: [F, K],
      H: [K, N],
      L: [full, N],
      A: [full, N],
      B: [sumsOnly ? 0 : full, N],
      S: [1, scratch],
      S2: [1, beta === 0 ? scratch : 0],
      numW: [F, K],
      denW: [F, K],
      numH: [K, N],
      denH: [K, N],
      gram: [K, K],
      gram2: [K, K],
    };
    const mats = this.k.allocate(shapes);
    const V = mats.V;
    const off = this.offset;
    let zeros = 0;
    for (let i = 0; i < V.data.length; i++) {
      const m = M ? M[i] : 1;
      let v = V0.data[i];
      if (m === 0) {
        // Masked entries take no part in the fit; keep a harmless value so no NaN can appear.
        V.data[i] = Number.isFinite(v) && v > 0 ? v + off : 1;
        continue;
      }
      if (!Number.isFinite(v) || v < 0) {
        throw new NmflabError('data must be finite and non-negative', {
          path: `V[${Math.floor(i / N)}][${i % N}]`,
          expected: 'a finite number ≥ 0',
          found: String(v),
        });
      }
      v += off;
      if (v + this.shift === 0) zeros++;
      V.data[i] = v;
    }
    if (zeros > 0 && this.div.needsPositiveData) {
      throw new NmflabError(`the data has ${zeros} zero entries, undefined for the ${this.div.id} divergence`, {
        path: 'V',
        expected: 'strictly positive data (β ≤ 0)',
        found: `${zeros} zeros`,
        hint: 'set the solver parameter offset (V ← V + offset), use a mask, or choose β > 0',
      });
    }

    const { W, H } = initialFactors(problem, V, K, this.initializer, rng, hooks);
    checkInitialFactors(W, H);

    const fw = problem.freezeW ?? this.freezeW;
    const frozenCols = new Uint8Array(K);
    let freezeAllW = false;
    if (fw === true) {
      freezeAllW = true;
      frozenCols.fill(1);
    } else if (Array.isArray(fw)) {
      for (const c of fw) {
        if (!Number.isInteger(c) || c < 0 || c >= K)
          throw new NmflabError('frozen column out of range', {
            path: 'freezeW',
            expected: `column indices in 0..${K - 1}`,
            found: String(c),
          });
        frozenCols[c] = 1;
      }
      freezeAllW = fw.length > 0 && frozenCols.every((x) => x === 1);
    }
    const norm = this.normalization();
    mats.W.data.set(W.data);
    mats.H.data.set(H.data);
    if (this.shift > 0) for (let i = 0; i < V.data.length; i++) mats.Vd.data[i] = V.data[i] + this.shift;
    const state: MuState = {
      F,
      N,
      K,
      V: mats.V,
      M,
      W: mats.W,
      H: mats.H,
      Vd: this.shift > 0 ? mats.Vd : mats.V,
      L: mats.L,
      staleL: lean,
      A: mats.A,
      B: mats.B,
      S: mats.S,
      S2: mats.S2,
      numW: mats.numW,
      denW: mats.denW,
      numH: mats.numH,
      denH: mats.denH,
      gram: mats.gram,
      gram2: mats.gram2,
      vNorm2: 0,
      crossFresh: 0,
      pre: -1,
      objCache: NaN,
      objOut: new Float64Array(1),
      vSum: 0,
      sums: new Float64Array(Math.max(F, N, K)),
      norms: new Float64Array(K),
      frozenCols,
      freezeAllW,
      freezeH: problem.freezeH ?? this.freezeHOpt,
      normalizeW: norm.W,
      normalizeH: norm.H,
      iteration: 0,
    };
    if (this.fusedObjective) {
      let t = 0;
      const v = state.V.data;
      for (let i = 0; i < v.length; i++) t += v[i];
      state.vSum = t;
    }
    if (this.gramObjective) {
      let t = 0;
      const v = state.V.data;
      for (let i = 0; i < v.length; i++) t += v[i] * v[i];
      state.vNorm2 = t;
    }
    if (!lean) this.k.matmul(state.W, state.H, state.L);
    return state;
  }

  /**
   * Fill A (numerator weights, M⊙ζ(Λ)⊙V) and B (denominator weights, M⊙ζ(Λ)⊙Λ) in one pass.
   * β fast paths: V⊙Λ^{β−2} and Λ^{β−1}, Λ floored at δ (`modelFloor`) where the power is negative.
   */
  private weights(s: MuState): void {
    const L = s.L.data,
      V = s.Vd.data,
      A = s.A.data,
      B = s.B.data,
      M = s.M;
    const n = L.length;
    const eps = this.lfloor; // δ: ε² (modelFloor eps2) or ε
    const sh = this.shift;
    if (this.path.kind === 'beta') {
      const beta = this.path.beta;
      const b2 = beta - 2,
        b1 = beta - 1;
      if (!M && sh === 0 && (beta === 1 || beta === 0)) {
        // No mask, no shift: one division per entry, no power (β = 1: B is never read, the
        // denominators are row/column sums; β = 0: A = V/Λ², B = 1/Λ).
        this.k.betaWeights(beta, L, V, A, B, eps);
      } else if (beta === 1) {
        for (let i = 0; i < n; i++) {
          const l = L[i] + sh;
          const lf = l > eps ? l : eps;
          const m = M ? M[i] : 1;
          A[i] = m === 0 ? 0 : (m * V[i]) / lf;
          B[i] = m;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const l = L[i] + sh;
          const m = M ? M[i] : 1;
          if (m === 0) {
            A[i] = 0;
            B[i] = 0;
            continue;
          }
          const ln = l > eps ? l : eps; // floor where the power is negative
          // One power per entry: Λ^{β−1} = Λ^{β−2}·Λ (Λ floored on both, as the Bregman path).
          let pw: number;
          if (b2 === 0) pw = 1;
          else if (b2 === -2) {
            const r = 1 / ln;
            pw = r * r;
          } else if (b2 === -3) {
            const r = 1 / ln;
            pw = r * r * r;
          } else pw = Math.pow(ln, b2);
          const mp = m * pw;
          A[i] = mp * V[i];
          // Λ^{β−1}: Λ^{β−2}·Λ (Λ floored where β−1 < 0); at β = 0 directly 1/Λ, one rounding.
          B[i] = b1 === 0 ? m * l : b2 === -2 ? m / ln : mp * (b1 < 0 ? ln : l);
        }
      }
    } else {
      const weight = this.weightFn!;
      for (let i = 0; i < n; i++) {
        const m = M ? M[i] : 1;
        if (m === 0) {
          A[i] = 0;
          B[i] = 0;
          continue;
        }
        const l = L[i] + sh;
        const ln = l > eps ? l : eps;
        const z = m * weight(ln - sh); // the divergence's weight adds its own ε
        A[i] = z * V[i];
        B[i] = z * l;
      }
    }
  }

  /**
   * β ∈ {0, 1}, no mask, no shift, and a fused kernel (the native addon's `muFused`, else the
   * WebAssembly `muFusedWasm` unless the backend is `js`): numerators (and β = 0 denominators)
   * block by block, Λ never stored (recomputed only for the objective).
   */
  private fusedCode(s: MuState): 0 | 1 | -1 {
    if (this.path.kind !== 'beta' || s.M || this.shift !== 0) return -1;
    const beta = this.path.beta;
    if (beta !== 0 && beta !== 1) return -1;
    return this.k.fused ? beta : -1;
  }

  /** One side (0: W, 1: H) of the fused numerators/denominators; false when no fused kernel took it. */
  private fused(
    s: MuState,
    code: 0 | 1,
    side: 0 | 1,
    num: Matrix,
    den: Matrix,
    objective: Float64Array | null = null,
  ): boolean {
    // Scratch: the Λ buffer (a backend may write weights over it) and, at β = 0, B; Λ is stale after.
    if (!this.k.fused!(code, side, s.F, s.N, s.K, s.V, s.W, s.H, num, den, s.S, s.S2, this.lfloor, objective))
      return false;
    s.staleL = true;
    return true;
  }

  private euclidFast(s: MuState): boolean {
    return this.path.kind === 'beta' && this.path.beta === 2 && !s.M && this.shift === 0;
  }

  /** β = 1 without mask or shift: the denominators are row/column sums, no product needed. */
  private klFast(s: MuState): boolean {
    return this.path.kind === 'beta' && this.path.beta === 1 && !s.M && this.shift === 0;
  }

  /** Numerator and denominator of the W update into numW, denW. */
  private ratioW(s: MuState, ready = false): void {
    if (this.euclidFast(s)) {
      // num = V Hᵀ, den = W (H Hᵀ): K² products instead of a full Λ pass.
      this.k.matmulNT(s.V, s.H, s.numW);
      this.k.matmulNT(s.H, s.H, s.gram);
      this.k.matmul(s.W, s.gram, s.denW);
      return;
    }
    const code = this.fusedCode(s);
    if (code >= 0 && (ready || this.fused(s, code as 0 | 1, 0, s.numW, s.denW))) {
      if (code === 1) this.sumsW(s);
      return;
    }
    this.freshL(s);
    this.fullBuffers(s);
    this.weights(s);
    this.k.matmulNT(s.A, s.H, s.numW);
    if (this.klFast(s)) {
      this.sumsW(s);
      return;
    }
    this.k.matmulNT(s.B, s.H, s.denW);
  }

  /** β = 1 W denominator 1Hᵀ: the row sums of H, broadcast over rows of W. */
  private sumsW(s: MuState): void {
    const { K, N } = s;
    const h = s.H.data,
      sums = s.sums,
      d = s.denW.data;
    for (let k = 0; k < K; k++) {
      let t = 0;
      for (let j = 0; j < N; j++) t += h[k * N + j];
      sums[k] = t;
    }
    for (let f = 0; f < s.F; f++) for (let k = 0; k < K; k++) d[f * K + k] = sums[k];
  }

  private ratioH(s: MuState, ready = false): void {
    if (this.euclidFast(s)) {
      this.k.matmulTN(s.W, s.V, s.numH);
      this.k.matmulTN(s.W, s.W, s.gram);
      this.k.matmul(s.gram, s.H, s.denH);
      return;
    }
    const code = this.fusedCode(s);
    if (code >= 0 && (ready || this.fused(s, code as 0 | 1, 1, s.numH, s.denH))) {
      if (code === 1) this.sumsH(s);
      return;
    }
    this.freshL(s);
    this.fullBuffers(s);
    this.weights(s);
    this.k.matmulTN(s.W, s.A, s.numH);
    if (this.klFast(s)) {
      this.sumsH(s);
      return;
    }
    this.k.matmulTN(s.W, s.B, s.denH);
  }

  /** β = 1 H denominator Wᵀ1: the column sums of W, broadcast over columns of H. */
  private sumsH(s: MuState): void {
    const { K, N, F } = s;
    const w = s.W.data,
      sums = s.sums,
      d = s.denH.data;
    sums.fill(0, 0, K);
    for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) sums[k] += w[f * K + k];
    for (let k = 0; k < K; k++) d.fill(sums[k], k * N, (k + 1) * N);
  }

  /**
   * X ← X ⊙ update(num, den) entry-wise, with the penalties of this factor; skip frozen columns
   * (stride `cols`; `frozen[j % cols]`).
   */
  private apply(
    X: Float64Array,
    num: Float64Array,
    den: Float64Array,
    regs: Regularizer[],
    cols: number,
    frozen: Uint8Array | undefined,
  ): void {
    const eps = this.eps;
    const gamma = this.path.gamma;
    const mm = this.mode === 'mm';
    const beta = this.path.kind === 'beta' ? this.path.beta : 1;
    const floor = this.factorFloor;
    const nReg = regs.length;
    if (nReg === 0 && !frozen?.includes(1)) {
      this.applyPlain(X, num, den);
      return;
    }
    for (let i = 0; i < X.length; i++) {
      if (frozen && frozen[i % cols] === 1) continue;
      const xbar = X[i];
      let P = den[i];
      const Q = num[i];
      let c = 0;
      let q = 0;
      for (let r = 0; r < nReg; r++) {
        regs[r].majorize(xbar > eps ? xbar : eps, SCRATCH);
        q += SCRATCH[0];
        c += 2 * SCRATCH[0] * xbar;
        P += SCRATCH[1];
      }
      let x: number;
      if (!mm || c === 0) {
        const d = P + c;
        const ratio = Q / (d > 0 ? d : eps);
        x = xbar * (gamma === 1 ? ratio : gamma === 0.5 ? Math.sqrt(ratio) : Math.pow(ratio, gamma));
      } else {
        // l is already majorized into P (file comment), so the shared exact step gets l = 0.
        x = penalizedMMStep(beta, P > 0 ? P : eps, Q, xbar, q, 0);
      }
      if (floor === 'eps') {
        if (!(x > eps)) x = eps;
      } else if (floor === 'zero') {
        if (!(x >= 2.220446049250313e-16)) x = 0;
      } else if (!(x >= 0)) x = 0;
      X[i] = x;
    }
  }

  /**
   * `apply` without penalties or frozen entries: the same formulas (x̄·(Q/P)^γ, P = 0 read as ε, then the
   * floor), one tight loop per γ and floor rule — no per-entry branching on settings, no
   * `Math.pow` for γ = 1 or ½.
   */
  private applyPlain(X: Float64Array, num: Float64Array, den: Float64Array): void {
    const eps = this.eps;
    const gamma = this.path.gamma;
    const n = X.length;
    const floor = this.factorFloor;
    if (floor === 'eps' && (gamma === 1 || gamma === 0.5)) {
      this.k.applyRatio(gamma === 1 ? 1 : 2, X, num, den, eps);
      return;
    }
    for (let i = 0; i < n; i++) {
      const d = den[i];
      const ratio = num[i] / (d > 0 ? d : eps);
      let x = X[i] * (gamma === 1 ? ratio : gamma === 0.5 ? Math.sqrt(ratio) : Math.pow(ratio, gamma));
      if (floor === 'eps') {
        if (!(x > eps)) x = eps;
      } else if (floor === 'zero') {
        if (!(x >= 2.220446049250313e-16)) x = 0;
      } else if (!(x >= 0)) x = 0;
      X[i] = x;
    }
  }

  /** Normalize W's columns (or H's rows) to unit norm and move the scale into the other factor. */
  private rescale(s: MuState, which: 'W' | 'H', kind: 'l1' | 'l2'): void {
    const { F, N, K } = s;
    const w = s.W.data,
      h = s.H.data,
      norms = s.norms;
    norms.fill(0);
    if (which === 'W') {
      for (let f = 0; f < F; f++)
        for (let k = 0; k < K; k++) {
          const v = w[f * K + k];
          norms[k] += kind === 'l1' ? Math.abs(v) : v * v;
        }
    } else {
      for (let k = 0; k < K; k++)
        for (let n = 0; n < N; n++) {
          const v = h[k * N + n];
          norms[k] += kind === 'l1' ? Math.abs(v) : v * v;
        }
    }
    for (let k = 0; k < K; k++) {
      const nk = kind === 'l2' ? Math.sqrt(norms[k]) : norms[k];
      // Frozen W columns keep their values exactly.
      norms[k] = nk > 0 && s.frozenCols[k] === 0 ? nk : 1;
    }
    if (which === 'W') {
      for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) w[f * K + k] /= norms[k];
      for (let k = 0; k < K; k++) {
        const nk = norms[k];
        for (let n = 0; n < N; n++) h[k * N + n] *= nk;
      }
    } else {
      for (let k = 0; k < K; k++) {
        const nk = norms[k];
        for (let n = 0; n < N; n++) h[k * N + n] /= nk;
      }
      for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) w[f * K + k] *= norms[k];
    }
  }

  step(s: MuState): void {
    const pre = s.pre;
    s.pre = -1;
    s.objCache = NaN;
    if (!s.freezeAllW) {
      this.ratioW(s, pre === 0);
      this.apply(s.W.data, s.numW.data, s.denW.data, this.regsW, s.K, s.frozenCols);
      s.crossFresh = 2; // numW = VHᵀ and H has not changed
      if (s.normalizeW !== 'none') {
        this.rescale(s, 'W', s.normalizeW);
        s.crossFresh = 0;
      }
      // The β = 2 updates work from Gram matrices, WᵀV and VHᵀ: Λ is only needed for the objective.
      if (this.euclidFast(s) || this.fusedCode(s) >= 0) s.staleL = true;
      else this.k.matmul(s.W, s.H, s.L);
    }
    if (!s.freezeH) {
      this.ratioH(s, pre === 1 && s.freezeAllW);
      this.apply(s.H.data, s.numH.data, s.denH.data, this.regsH, s.N, undefined);
      s.crossFresh = 1; // numH = WᵀV and W has not changed
      if (s.normalizeH !== 'none') {
        this.rescale(s, 'H', s.normalizeH);
        s.crossFresh = 0;
      }
      if (this.euclidFast(s) || this.fusedCode(s) >= 0) s.staleL = true;
      else this.k.matmul(s.W, s.H, s.L);
    }
    s.iteration++;
  }

  /** The model Λ = WH of the current factors (a view into the state: copy it to keep it). */
  model(s: MuState): Matrix {
    return this.freshL(s);
  }

  /** A and B at full size for the unfused weights, when a lean path's fused pass was refused (e.g. matrices beyond WASM memory). */
  private fullBuffers(s: MuState): void {
    const n = s.F * s.N;
    if (s.A.data.length < n) s.A = new Matrix(s.F, s.N);
    if (s.B.data.length < n && !(this.klFast(s) || this.euclidFast(s))) s.B = new Matrix(s.F, s.N);
  }

  /** Λ = WH, recomputed if the β = 2 or fused path left it stale. */
  private freshL(s: MuState): Matrix {
    if (s.L.data.length < s.F * s.N) {
      // A lean path that needs Λ after all (model(), a direct objective, a fused pass refused).
      s.L = new Matrix(s.F, s.N);
      s.staleL = true;
    }
    if (s.staleL) {
      this.k.matmul(s.W, s.H, s.L);
      s.staleL = false;
    }
    return s.L;
  }

  /** Data term Σ M⊙d(V|WH) and each penalty, on the Λ kept up to date by `step`. */
  objective(s: MuState): Objective {
    const fast =
      this.euclidFast(s) && this.gramObjective > 0 ? this.gramData(s) : this.fusedObjective ? this.fusedData(s) : NaN;
    const terms: Record<string, number> = {
      data: fast >= 0 ? fast : this.div.value(s.V.data, this.freshL(s).data, s.M),
    };
    let total = terms.data!;
    this.regs.forEach((r, i) => {
      const v = r.value(r.target === 'W' ? s.W.data : s.H.data);
      terms[this.regNames[i]] = v;
      total += v;
    });
    return { total, terms };
  }

  /**
   * β = 2 data term c‖V − WH‖² by the Gram identity c(‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩), with the
   * numerator the last update computed (WᵀV or VHᵀ) and two K×K Grams: (F + N)K² work instead of
   * FNK plus a pass over F×N. NaN when no numerator matches the factors, or when the fit is so
   * close that the subtraction would cancel more than 3 digits (the caller then computes it
   * directly, so the value stays within ~1e-13 of the direct sum).
   */
  private gramData(s: MuState): number {
    if (s.crossFresh === 0) return NaN;
    let cross = 0;
    if (s.crossFresh === 1) {
      const a = s.numH.data,
        h = s.H.data;
      for (let i = 0; i < a.length; i++) cross += a[i] * h[i];
    } else {
      const a = s.numW.data,
        w = s.W.data;
      for (let i = 0; i < a.length; i++) cross += a[i] * w[i];
    }
    this.k.matmulTN(s.W, s.W, s.gram);
    this.k.matmulNT(s.H, s.H, s.gram2);
    let quad = 0;
    const g = s.gram.data,
      g2 = s.gram2.data;
    for (let i = 0; i < g.length; i++) quad += g[i] * g2[i];
    const r = s.vNorm2 - 2 * cross + quad;
    return r > 1e-3 * s.vNorm2 ? this.gramObjective * r : NaN;
  }

  /**
   * β = 1 / β = 0 data term from the fused pass the next step starts with (W side; H side when W
   * is frozen): it forms Λ = WH block by block anyway, so the objective costs one log per entry
   * on blocks in cache and no product, and `step` reuses the numerators it left (`pre`). NaN when
   * no fused kernel takes the operands, some λ ≤ 0, or the value is so small against its error
   * scale (Σ V for KL, F·N for IS; a few ulp per entry) that it might be off by more than ~1e-13
   * relative: the caller then evaluates the divergence itself.
   */
  private fusedData(s: MuState): number {
    if (!Number.isNaN(s.objCache)) return s.objCache;
    if (this.path.kind !== 'beta' || s.M) return NaN;
    const code = this.path.beta as 0 | 1;
    const side = s.freezeAllW ? 1 : 0;
    let d: number;
    if (
      this.fusedCode(s) >= 0 &&
      (side === 0 ? this.fused(s, code, 0, s.numW, s.denW, s.objOut) : this.fused(s, code, 1, s.numH, s.denH, s.objOut))
    ) {
      s.pre = side;
      d = s.objOut[0];
    } else {
      // No fused pass (js backend, or operands it cannot take): the same sums from Λ.
      d = this.k.objective(code, side, s.F, s.N, s.V.data, this.freshL(s).data);
    }
    const scale = code === 1 ? s.vSum : s.F * s.N;
    s.objCache = d >= 1e-2 * scale && d < Infinity ? d : NaN;
    return s.objCache;
  }

  result(s: MuState): SolverResult {
    // Copies: the state's matrices are views into its (large) WASM workspace memory.
    return { W: s.W.clone(), H: s.H.clone() };
  }
}
