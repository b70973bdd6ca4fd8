import type { Divergence, Initializer, Matrix, MuKernels, Regularizer } from '@nmflab/core';

/** The mu solver's settings and per-fit state (the algorithm is described in solver.ts). */

export type MuMode = 'mm' | 'heuristic';
export type Normalize = 'none' | 'l1' | 'l2' | 'auto';
export type FactorFloor = 'eps' | 'zero' | 'none';
export type ModelFloor = 'eps2' | 'eps';

export interface MuOptions {
  divergence: Divergence;
  mode?: MuMode;
  regularizers?: Regularizer[];
  normalize?: Normalize;
  initializer?: Initializer;
  /** ε: the factor floor (`factorFloor: eps`), the value of zero denominators, and (`modelFloor: eps`) the floor of Λ. */
  eps?: number;
  /** Floor of Λ where negative powers are taken: ε² (default, never reached by ε-floored factors: exact MM) or ε (scikit-learn). */
  modelFloor?: ModelFloor;
  /** What to do with small factor entries after an update: floor at eps (default), hard zeros below float64 eps (scikit-learn), or nothing. */
  factorFloor?: FactorFloor;
  freezeW?: boolean | number[];
  freezeH?: boolean;
  offset?: number;
  /** The kernels to compute with (core's `MuKernels`); default `selectKernels().mu`, chosen when the solver is built. */
  kernels?: MuKernels;
}

/** scikit-learn's EPSILON (float32 machine epsilon). */
export const SKLEARN_EPS = 1.1920928955078125e-7;

export interface MuState {
  F: number;
  N: number;
  K: number;
  V: Matrix;
  /** V + ε_d (the divergence's own shift, 0 for most): the data the updates see (V itself when ε_d = 0). */
  Vd: Matrix;
  /** Mask data or undefined. */
  M?: Float64Array;
  W: Matrix;
  H: Matrix;
  /** Λ = WH for the current W, H (unless `staleL`: the β = 2 and fused paths skip it until needed). */
  L: Matrix;
  staleL: boolean;
  /** Work buffers F×N: numerator weights A and denominator weights B (empty where the path does not use them). */
  A: Matrix;
  B: Matrix;
  /** One block of scratch each for the fused passes (Λ block and weights; B block at β = 0). */
  S: Matrix;
  S2: Matrix;
  numW: Matrix;
  denW: Matrix;
  numH: Matrix;
  denH: Matrix;
  /** K×K Gram buffer (β=2 fast path) and K sums. */
  gram: Matrix;
  /** Second K×K Gram buffer (HHᵀ beside WᵀW for the β = 2 objective). */
  gram2: Matrix;
  /** ‖V‖² (β = 2 objective by the Gram identity). */
  vNorm2: number;
  /**
   * Which numerator matches the current factors, for the β = 2 objective: 1 numH = WᵀV (W
   * unchanged since), 2 numW = VHᵀ (H unchanged since), 0 neither (initial point, rescaled).
   */
  crossFresh: 0 | 1 | 2;
  /**
   * β ∈ {0, 1} fused path: the side (0 W, 1 H) whose numerators/denominators `objective` already
   * computed for the current factors (its pass yields Σ d(V|Λ) on the way), so `step` starts from
   * them; −1 none. `objCache`: that objective, NaN when not computed for the current factors.
   */
  pre: -1 | 0 | 1;
  objCache: number;
  objOut: Float64Array;
  /** Σ V (the β = 1 objective's error scale). */
  vSum: number;
  sums: Float64Array;
  norms: Float64Array;
  /** Per-column frozen flags of W (length K), or all-frozen. */
  frozenCols: Uint8Array;
  freezeAllW: boolean;
  freezeH: boolean;
  normalizeW: 'none' | 'l1' | 'l2';
  normalizeH: 'none' | 'l1' | 'l2';
  iteration: number;
}

export interface Path {
  /** 'beta' when the divergence exposes β (fast paths), 'bregman' for a generic weight. */
  kind: 'beta' | 'bregman';
  beta: number;
  gamma: number;
}

/** What the update paths and the MM step read from the solver: fixed when the solver is built. */
export interface MuRule {
  readonly path: Path;
  readonly mode: MuMode;
  /** ε: factor floor, value of zero denominators. */
  readonly eps: number;
  /** δ: the floor of Λ where a negative power of it is taken (see `modelFloor`). */
  readonly lfloor: number;
  /** The divergence's own ε (d(V+ε|Λ+ε)). */
  readonly shift: number;
  readonly factorFloor: FactorFloor;
  /** The divergence's φ″, bound once. */
  readonly weightFn?: (y: number) => number;
  readonly k: MuKernels;
}
