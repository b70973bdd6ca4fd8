import { logGamma, mmExponent } from '@nmflab/core';

/**
 * Scalar mathematics of the β-divergence (reference §2.0, §2b, §5 item 4), shared by the
 * `euclidean`, `kl`, `is` and `beta` plugins.
 *
 *   d_β(x|y) = [x^β + (β−1)y^β − βxy^{β−1}] / [β(β−1)]        β ∉ {0, 1}
 *   d_1(x|y) = x log(x/y) − x + y                              (generalized KL, I-divergence)
 *   d_0(x|y) = x/y − log(x/y) − 1                              (Itakura–Saito)
 *
 * With r = x/y and L = log r, d_β(x|y) = y^β·g_β(L), g_β(L) = [e^{βL} − βe^L + β − 1]/[β(β−1)]
 *   = Σ_{n≥2} c_n(β) Lⁿ/n!,  c_n = 1 + β + … + β^{n−2}.
 * The raw formulas cancel catastrophically when x ≈ y (relative error ≈ 1e-16/L²), which shows up
 * as false objective increases in monotonicity tests; for |L| < 0.1 the series is summed instead.
 * Near β = 0 and β = 1 the raw formula also cancels in β (division by β(β−1)); there the numerator
 * is rewritten with expm1 so that the family is continuous in β to rounding.
 */

/** Where the series replaces the closed form. */
export const SERIES_CUTOFF = 0.1;

/** g_β(L) = Σ_{n≥2} c_n(β) Lⁿ/n!, summed until the terms no longer change the sum. */
export function betaSeries(L: number, beta: number): number {
  let c = 1; // c_2
  let pow = (L * L) / 2; // L^n/n! at n = 2
  let sum = c * pow;
  const bound = Math.abs(beta * L);
  let smallBefore = false;
  for (let n = 3; n < 400; n++) {
    c = 1 + beta * c;
    pow *= L / n;
    const term = c * pow;
    sum += term;
    // Stop once past the largest term (n > |βL|) and two successive terms are below rounding of
    // the sum (one is not enough: c_n can vanish, e.g. c_3 = 0 at β = −1).
    const small = Math.abs(term) <= 1e-17 * Math.abs(sum);
    if (n > bound + 2 && small && smallBefore) break;
    smallBefore = small;
  }
  return sum;
}

/**
 * d_β(x|y) for x > 0, y > 0 (no checks). β = 0, 1, 2 exact special cases; series near x = y.
 */
export function betaPositive(x: number, y: number, beta: number): number {
  if (beta === 2) {
    const d = x - y;
    return 0.5 * d * d;
  }
  const r = x / y;
  let L = Math.log(r);
  if (Math.abs(L) < SERIES_CUTOFF) {
    // log(x/y) from the rounded ratio has absolute error ~1e-16, i.e. a large relative error when
    // x ≈ y; x − y is exact there (Sterbenz), so log1p((x − y)/y) keeps L to full relative precision.
    L = Math.log1p((x - y) / y);
    const s = betaSeries(L, beta);
    return beta === 0 ? s : beta === 1 ? y * s : Math.pow(y, beta) * s;
  }
  if (beta === 0) return r - L - 1;
  if (beta === 1) return x * L - x + y;
  let g: number;
  if (Math.abs(beta) <= 0.5) {
    // numerator e^{βL} − 1 − β(r − 1): both parts O(β), no cancellation in β.
    g = (Math.expm1(beta * L) - beta * (r - 1)) / (beta * (beta - 1));
  } else if (Math.abs(beta - 1) <= 0.5) {
    // with u = β − 1: e^{βL} − βr + β − 1 = r·(e^{uL} − 1) − u(r − 1), both parts O(u).
    const u = beta - 1;
    g = (r * Math.expm1(u * L) - u * (r - 1)) / (beta * u);
  } else {
    g = (Math.pow(r, beta) - beta * r + beta - 1) / (beta * (beta - 1));
  }
  return Math.pow(y, beta) * g;
}

/**
 * d_β(x|y) for x ≥ 0, y ≥ 0 with the zero limits taken analytically:
 * d_β(0|y) = y^β/β for β > 0 (y for β = 1), +∞ or undefined for β ≤ 0 (returns NaN: callers check);
 * d_β(x|0) = x^β/(β(β−1)) for β > 1, +∞ for β ≤ 1 and x > 0; d(0|0) = 0.
 */
export function betaPoint(x: number, y: number, beta: number): number {
  if (x > 0 && y > 0) return betaPositive(x, y, beta);
  if (x === 0 && y === 0) return 0;
  if (x === 0) {
    if (beta > 0) return beta === 1 ? y : Math.pow(y, beta) / beta;
    return NaN;
  }
  // y = 0 < x
  return beta > 1 ? Math.pow(x, beta) / (beta * (beta - 1)) : Infinity;
}

/** ∂d_β(x|y)/∂y = y^{β−2}(y − x). */
export function betaDerivative(x: number, y: number, beta: number): number {
  // (y − x) first: exact near x = y (Sterbenz), where 1 − x/y would cancel.
  if (beta === 2) return y - x;
  if (beta === 1) return (y - x) / y;
  if (beta === 0) return (y - x) / (y * y);
  return Math.pow(y, beta - 2) * (y - x);
}

/** φ″(y) = y^{β−2}, the weight of the Bregman multiplicative update. */
export function betaWeight(y: number, beta: number): number {
  if (beta === 2) return 1;
  if (beta === 1) return 1 / y;
  if (beta === 0) return 1 / (y * y);
  return Math.pow(y, beta - 2);
}

/**
 * φ′(y) − φ′(x) = (y^{β−1} − x^{β−1})/(β−1) (log(y/x) at β = 1), computed as
 * x^{β−1}·expm1((β−1)log(y/x))/(β−1), continuous in β. This is ∂d_β(y|x)/∂y (dual derivative).
 */
export function betaLinkDifference(y: number, x: number, beta: number): number {
  const u = beta - 1;
  const r = y / x;
  // log1p of the exact difference keeps full relative precision when y ≈ x.
  const l = Math.abs(r - 1) < 0.5 ? Math.log1p((y - x) / x) : Math.log(r);
  if (u === 0) return l;
  return (Math.pow(x, u) * Math.expm1(u * l)) / u;
}

// γ(β) and log Γ live in core (solvers and tasks use them too); re-exported here for this package's users.
export { logGamma, mmExponent };

/** Noise model for which Σd_β is a negative log-likelihood up to a constant. */
export function noiseModel(beta: number): string {
  if (beta === 2) return 'gaussian';
  if (beta === 1) return 'poisson';
  if (beta === 0) return 'exponential';
  return `tweedie(p=${2 - beta})`;
}

/**
 * Per-entry constant c(x) with −log p(x|y) = d_β(x|y) + c(x) for the β's whose likelihood has a
 * closed form (unit variance / dispersion):
 *  - β = 2, Gaussian N(y, 1):        c = ½ log 2π
 *  - β = 1, Poisson(y):              c = log Γ(x+1) − x log x + x   (continuous in x; 0·log 0 = 0)
 *  - β = 0, exponential (mean y):    c = log x + 1
 * Otherwise (Tweedie, unit dispersion) the normalizer a(x) has no closed form and c = 0: the value
 * is Σd_β, the negative log-likelihood up to the data-only constant −Σ log a(x).
 */
export function nllConstant(x: number, beta: number): number {
  if (beta === 2) return 0.5 * Math.log(2 * Math.PI);
  if (beta === 1) return logGamma(x + 1) - (x > 0 ? x * Math.log(x) : 0) + x;
  if (beta === 0) return Math.log(x) + 1;
  return 0;
}
