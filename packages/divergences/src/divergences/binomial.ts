import { NmflabError, definePlugin, type Divergence, type PluginContext } from '@nmflab/core';
import { betaPoint, logGamma } from '../beta-math.js';

/**
 * Binomial (logistic) Bregman divergence for counts of successes out of n trials (Banerjee et al.
 * 2005, Table 1): generator φ(y) = y log(y/n) + (n − y) log((n − y)/n) on [0, n], so
 *   d(x|μ) = x log(x/μ) + (n − x) log((n − x)/(n − μ)),   0 ≤ x ≤ n, 0 < μ < n,
 *   ∂d/∂μ = φ″(μ)(μ − x),  φ″(μ) = n / (μ(n − μ)).
 * It is the negative log-likelihood of x ~ Binomial(n, μ/n) up to a term in x only. It is computed
 * as the sum of two generalized KL divergences, d(x|μ) = KL(x|μ) + KL(n − x|n − μ) (the −x + μ
 * and −(n − x) + (n − μ) terms cancel), each with the β = 1 code's zero limits and full relative
 * precision at x ≈ μ, so the sum has no cancellation. The `bregman` plugin cannot express it: its
 * generator must be finite and convex on all of y > 0, and this one lives on (0, n).
 * Data outside [0, n] or a model outside [0, n] are errors (not NaN); μ = 0 or n with x ≠ μ is +∞.
 */
export default definePlugin({
  meta: {
    kind: 'divergence',
    id: 'binomial',
    description:
      'binomial (logistic) Bregman divergence x log(x/μ) + (n−x) log((n−x)/(n−μ)) for counts out of n trials',
    params: {
      trials: {
        description: 'n, the number of trials: data and model must lie in [0, n]',
        type: 'number',
        exclusiveMinimum: 0,
        required: true,
      },
    },
  },
  create: (p: { trials: number }, ctx) => makeBinomial(p.trials, ctx),
});

export function makeBinomial(n: number, ctx?: Pick<PluginContext, 'path' | 'file'>): Divergence {
  const fail = (reason: string, found: string): never => {
    throw new NmflabError(reason, {
      file: ctx?.file,
      path: ctx?.path,
      expected: `data and model in [0, ${n}] (params.trials = ${n})`,
      found,
      exitCode: 1,
    });
  };
  const check = (x: number, y: number, at: string): void => {
    if (!(x >= 0 && x <= n)) fail('invalid data value for the binomial divergence', `V${at} = ${x}`);
    if (!(y >= 0 && y <= n)) fail('invalid model value for the binomial divergence', `Λ${at} = ${y}`);
  };
  const at = (x: number, y: number): number => betaPoint(x, y, 1) + betaPoint(n - x, n - y, 1);
  const value = (V: Float64Array, L: Float64Array, M?: Float64Array): number => {
    if (L.length !== V.length || (M && M.length !== V.length))
      fail('data, model and mask differ in size', `${V.length}, ${L.length}${M ? `, ${M.length}` : ''} entries`);
    let s = 0;
    for (let i = 0; i < V.length; i++) {
      const m = M ? M[i] : 1;
      if (m === 0) continue;
      const x = V[i],
        y = L[i];
      if (!(x >= 0 && x <= n && y >= 0 && y <= n)) check(x, y, `[${i}]`);
      s += m * at(x, y);
    }
    return s;
  };
  return {
    id: 'binomial',
    noiseModel: `binomial(${n})`,
    needsPositiveData: false,
    point(x, y) {
      check(x, y, '');
      return at(x, y);
    },
    derivative(x, y) {
      check(x, y, '');
      return (n * (y - x)) / (y * (n - y));
    },
    weight: (y) => n / (y * (n - y)),
    value,
    /** Exactly −Σ M log p(V|Λ) for V ~ Binomial(n, Λ/n): Σ M [d(x|μ) − φ(x) − log C(n, x)]. */
    negLogLikelihood(V, L, M) {
      let s = value(V, L, M);
      for (let i = 0; i < V.length; i++) {
        const m = M ? M[i] : 1;
        if (m !== 0)
          s -= m * (xlogy(V[i], V[i] / n) + xlogy(n - V[i], (n - V[i]) / n) + logBinomialCoefficient(n, V[i]));
      }
      return s;
    },
  };
}

/** x log r with 0 log 0 = 0. */
const xlogy = (x: number, r: number): number => (x === 0 ? 0 : x * Math.log(r));

/** log C(n, x) for real 0 ≤ x ≤ n (the data-only term of the binomial log-likelihood). */
export function logBinomialCoefficient(n: number, x: number): number {
  return logGamma(n + 1) - logGamma(x + 1) - logGamma(n - x + 1);
}
