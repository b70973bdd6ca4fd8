import type { Regularizer } from '@nmflab/core';

export interface LpOptions {
  id: string;
  lambda: number;
  target: 'W' | 'H';
  p: number;
  /** Constant factor c of r(x) = c·λ|x|^p (½ for l2, else 1). */
  c?: number;
  eps?: number;
}

/** Shared parameter declarations of the penalty plugins. */
export const penaltyParams = {
  lambda: { description: 'penalty weight λ ≥ 0', type: 'number' as const, default: 0.1, minimum: 0 },
  target: {
    description: 'the factor penalized: W or H',
    type: 'string' as const,
    enum: ['W', 'H'] as const,
    default: 'H',
  },
  eps: {
    description: 'floor on x̄ where negative powers x̄^{p−1}, x̄^{p−2} are taken (p < 2)',
    type: 'number' as const,
    default: 1e-12,
    exclusiveMinimum: 0,
  },
};

/**
 * r(x) = c·λ|x|^p (reference §2b). Majorizers, tight at x̄ (x̄ floored at ε where a negative power
 * is taken):
 *   p ≤ 1 (concave on x ≥ 0): tangent line, q = 0, l = cλp x̄^{p−1}  (p = 1: exact, l = cλ);
 *   1 < p < 2: Kameoka's quadratic bound |x|^p ≤ (p/2)|x̄|^{p−2}x² + (1 − p/2)|x̄|^p,
 *              q = cλ(p/2)x̄^{p−2}, l = 0;
 *   p = 2: exact, q = cλ, l = 0.
 * `majorizeQuadratic` gives the quadratic bound for every p ≤ 2 (x ↦ x^{p/2} of u = x² is concave).
 *
 * Which MU is then exact MM (for the solver): "add cλp x̄^{p−1} to the MU denominator" is the exact
 * minimizer of the surrogate only at β = 2 with the quadratic bound (any p), and for β ≤ 1 with the
 * tangent line (p ≤ 1; raised to γ(β) for β < 1). Elsewhere the per-entry surrogate must be
 * solved exactly: `penalizedMMStep` (core, re-exported here; also `mu`'s step) does that for any β.
 * The penalty only means something when the other factor's scale is fixed (needsNormalization).
 */
export function makeLpPenalty(o: LpOptions): Regularizer {
  const { lambda, p } = o;
  const c = o.c ?? 1;
  const eps = o.eps ?? 1e-12;
  const cl = c * lambda;
  const quad = (xbar: number, out: Float64Array): void => {
    if (p === 2) {
      out[0] = cl;
    } else {
      const xb = Math.max(Math.abs(xbar), eps);
      out[0] = cl * (p / 2) * Math.pow(xb, p - 2);
    }
    out[1] = 0;
  };
  return {
    id: o.id,
    target: o.target,
    lambda,
    p,
    eps,
    needsNormalization: true,
    point: p === 1 ? (x) => cl * Math.abs(x) : p === 2 ? (x) => cl * x * x : (x) => cl * Math.pow(Math.abs(x), p),
    value(X: Float64Array): number {
      let s = 0;
      if (p === 1) for (let i = 0; i < X.length; i++) s += Math.abs(X[i]);
      else if (p === 2) for (let i = 0; i < X.length; i++) s += X[i] * X[i];
      else for (let i = 0; i < X.length; i++) s += Math.pow(Math.abs(X[i]), p);
      return cl * s;
    },
    /** r′(x) = cλp|x|^{p−1}sign(x); for p < 1 the magnitude is floored at ε (r′(0⁺) = +∞). */
    derivative(x: number): number {
      if (p === 1) return x < 0 ? -cl : cl;
      if (p === 2) return 2 * cl * x;
      const ax = Math.abs(x);
      const d = cl * p * Math.pow(p < 1 ? Math.max(ax, eps) : ax, p - 1);
      return x < 0 ? -d : d;
    },
    majorize(xbar: number, out: Float64Array): void {
      if (p <= 1) {
        out[0] = 0;
        out[1] = p === 1 ? cl : cl * p * Math.pow(Math.max(Math.abs(xbar), eps), p - 1);
      } else {
        quad(xbar, out);
      }
    },
    majorizeQuadratic: quad,
  };
}
