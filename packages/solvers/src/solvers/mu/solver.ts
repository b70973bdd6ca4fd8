import {
  type Matrix,
  NmflabError,
  mmExponent,
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
  type MuRule,
  type Path,
} from './state.js';
import { mmStep } from './mm-step.js';
import { euclidFast, freshL, fused, fusedCode, ratioH, ratioW, rescale } from './updates.js';

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
  /** The settings the update paths and the MM step read. */
  private readonly rule: MuRule;

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
    this.rule = {
      path: this.path,
      mode: this.mode,
      eps: this.eps,
      lfloor: this.lfloor,
      shift: this.shift,
      factorFloor: this.factorFloor,
      weightFn: this.weightFn,
      k: this.k,
    };
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

  step(s: MuState): void {
    const pre = s.pre;
    s.pre = -1;
    s.objCache = NaN;
    if (!s.freezeAllW) {
      ratioW(this.rule, s, pre === 0);
      mmStep(this.rule, s.W.data, s.numW.data, s.denW.data, this.regsW, s.K, s.frozenCols);
      s.crossFresh = 2; // numW = VHᵀ and H has not changed
      if (s.normalizeW !== 'none') {
        rescale(s, 'W', s.normalizeW);
        s.crossFresh = 0;
      }
      // The β = 2 updates work from Gram matrices, WᵀV and VHᵀ: Λ is only needed for the objective.
      if (euclidFast(this.rule, s) || fusedCode(this.rule, s) >= 0) s.staleL = true;
      else this.k.matmul(s.W, s.H, s.L);
    }
    if (!s.freezeH) {
      ratioH(this.rule, s, pre === 1 && s.freezeAllW);
      mmStep(this.rule, s.H.data, s.numH.data, s.denH.data, this.regsH, s.N, undefined);
      s.crossFresh = 1; // numH = WᵀV and W has not changed
      if (s.normalizeH !== 'none') {
        rescale(s, 'H', s.normalizeH);
        s.crossFresh = 0;
      }
      if (euclidFast(this.rule, s) || fusedCode(this.rule, s) >= 0) s.staleL = true;
      else this.k.matmul(s.W, s.H, s.L);
    }
    s.iteration++;
  }

  /** The model Λ = WH of the current factors (a view into the state: copy it to keep it). */
  model(s: MuState): Matrix {
    return freshL(this.rule, s);
  }

  /** Data term Σ M⊙d(V|WH) and each penalty, on the Λ kept up to date by `step`. */
  objective(s: MuState): Objective {
    const fast =
      euclidFast(this.rule, s) && this.gramObjective > 0
        ? this.gramData(s)
        : this.fusedObjective
          ? this.fusedData(s)
          : NaN;
    const terms: Record<string, number> = {
      data: fast >= 0 ? fast : this.div.value(s.V.data, freshL(this.rule, s).data, s.M),
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
      fusedCode(this.rule, s) >= 0 &&
      (side === 0
        ? fused(this.rule, s, code, 0, s.numW, s.denW, s.objOut)
        : fused(this.rule, s, code, 1, s.numH, s.denH, s.objOut))
    ) {
      s.pre = side;
      d = s.objOut[0];
    } else {
      // No fused pass (js backend, or operands it cannot take): the same sums from Λ.
      d = this.k.objective(code, side, s.F, s.N, s.V.data, freshL(this.rule, s).data);
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
