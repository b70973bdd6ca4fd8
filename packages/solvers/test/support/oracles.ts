import { Matrix, type Rng, type Divergence, type Regularizer } from '@nmflab/core';

/**
 * Test oracles written against the `Divergence`/`Regularizer` contracts, independent of the
 * divergence plugins: the β-divergence evaluated without cancellation near x = y (reference §5.4:
 * for |L| < 0.1, L = log(x/y), d = y^β Σ_{n≥2} c_n L^n/n!, c_n = 1+β+…+β^{n−2}), so monotonicity
 * checks at 1e-12 relative do not see rounding as increases.
 */
export function betaPoint(beta: number, x: number, y: number): number {
  if (x === 0) {
    if (beta > 0) return beta === 1 ? y : Math.pow(y, beta) / beta;
    return Infinity;
  }
  const L = Math.log(x / y);
  if (Math.abs(L) < 0.1) {
    let term = 1; // L^n / n!
    let cn = 0; // c_n
    let sum = 0;
    let bpow = 1; // β^{n−2}
    term = L; // n = 1
    let smallBefore = false;
    for (let n = 2; n < 60; n++) {
      term *= L / n;
      cn += bpow;
      bpow *= beta;
      const t = cn * term;
      sum += t;
      // Two successive small terms: one is not enough, c_n vanishes at every odd n when β = −1.
      const small = Math.abs(t) <= 1e-18 * Math.abs(sum);
      if (small && smallBefore) break;
      smallBefore = small;
    }
    return (beta === 0 ? 1 : Math.pow(y, beta)) * sum;
  }
  if (beta === 1) return x * L - x + y;
  if (beta === 0) return x / y - L - 1;
  if (beta === 2) return 0.5 * (x - y) * (x - y);
  return (Math.pow(x, beta) + (beta - 1) * Math.pow(y, beta) - beta * x * Math.pow(y, beta - 1)) / (beta * (beta - 1));
}

export function betaDivergence(beta: number, opts: { exposeBeta?: boolean; mmExponent?: number } = {}): Divergence {
  const expose = opts.exposeBeta ?? true;
  return {
    id: expose ? `beta(${beta})` : `bregman(y^${beta - 2})`,
    beta: expose ? beta : undefined,
    mmExponent: opts.mmExponent,
    needsPositiveData: beta <= 0,
    point: (x, y) => betaPoint(beta, x, y),
    derivative: (x, y) => Math.pow(y, beta - 2) * (y - x),
    weight: (y) => Math.pow(y, beta - 2),
    value(V, L, M) {
      let s = 0;
      for (let i = 0; i < V.length; i++) {
        const m = M ? M[i] : 1;
        if (m !== 0) s += m * betaPoint(beta, V[i], L[i]);
      }
      return s;
    },
  };
}

/** λΣ|x|^p with Kameoka's quadratic bound (1 < p < 2), exact square (p = 2), tangent line (p ≤ 1). */
export function lpPenalty(target: 'W' | 'H', lambda: number, p: number, id = p === 1 ? 'l1' : 'lp'): Regularizer {
  return {
    id,
    target,
    lambda,
    p,
    needsNormalization: true,
    value(X) {
      let s = 0;
      for (let i = 0; i < X.length; i++) s += Math.pow(Math.abs(X[i]), p);
      return lambda * s;
    },
    point: (x) => lambda * Math.pow(Math.abs(x), p),
    derivative: (x) => lambda * p * Math.pow(x, p - 1),
    majorize(xbar, out) {
      if (p <= 1) {
        out[0] = 0;
        out[1] = lambda * p * Math.pow(xbar, p - 1);
      } else {
        out[0] = lambda * (p / 2) * Math.pow(xbar, p - 2);
        out[1] = 0;
      }
    },
  };
}

export function randMatrix(r: number, c: number, rng: Rng, lo = 0.1, hi = 1): Matrix {
  const m = new Matrix(r, c);
  rng.fillUniform(m.data, lo, hi);
  return m;
}
