import { NmflabError, type Divergence, type PluginContext } from '@nmflab/core';
import {
  betaDerivative,
  betaLinkDifference,
  betaPoint,
  betaPositive,
  betaWeight,
  mmExponent,
  nllConstant,
  noiseModel,
} from './beta-math.js';

export interface BetaOptions {
  id: string;
  beta: number;
  /** d(Λ|V) instead of d(V|Λ): the data in the right argument. */
  dual?: boolean;
  /** ε added to both arguments before evaluation (0: none). */
  eps?: number;
}

/** Shared parameter declarations of the β plugins. */
export const epsParam = {
  description: 'ε added to both arguments (data and model) before evaluating; 0 rejects zero data where d is undefined',
  type: 'number' as const,
  default: 0,
  minimum: 0,
};

/**
 * Build a β-divergence `Divergence`. Data zeros where d is undefined (x = 0 with β ≤ 0; for the dual
 * d_β(y|0) with β ≤ 1) raise an NmflabError naming the entry, unless eps > 0. Model zeros give the
 * analytic limit (possibly +∞), which the solver's ε floor on Λ avoids.
 */
export function makeBetaDivergence(o: BetaOptions, ctx?: Pick<PluginContext, 'path' | 'file'>): Divergence {
  const beta = o.beta;
  const dual = o.dual ?? false;
  const eps = o.eps ?? 0;
  const needsPositiveData = dual ? beta <= 1 : beta <= 0;
  const what = dual ? `the dual β-divergence d_β(Λ|V) (β = ${beta})` : `the β-divergence d_β(V|Λ) (β = ${beta})`;

  const fail = (reason: string, found: string): never => {
    throw new NmflabError(reason, {
      file: ctx?.file,
      path: ctx?.path,
      expected: needsPositiveData ? 'data V > 0 everywhere, or params.eps > 0' : 'non-negative, finite data and model',
      found,
      exitCode: 1,
    });
  };

  /** d at shifted arguments, data x and model y (x, y already checked ≥ 0). */
  const at = (x: number, y: number): number => {
    if (dual) {
      if (y > 0 && x > 0) return betaPositive(y, x, beta);
      return betaPoint(y, x, beta);
    }
    if (x > 0 && y > 0) return betaPositive(x, y, beta);
    return betaPoint(x, y, beta);
  };

  const point = (x0: number, y0: number): number => {
    const x = x0 + eps,
      y = y0 + eps;
    if (!(x >= 0 && x < Infinity)) fail('invalid data value', `V = ${x0}`);
    if (!(y >= 0 && y < Infinity)) fail('invalid model value', `Λ = ${y0}`);
    if (x === 0 && needsPositiveData) fail(`${what} is undefined at a zero data entry`, 'V = 0');
    return at(x, y);
  };

  const value = (V: Float64Array, L: Float64Array, M?: Float64Array): number => {
    if (L.length !== V.length || (M && M.length !== V.length)) {
      fail('data, model and mask differ in size', `${V.length}, ${L.length}${M ? `, ${M.length}` : ''} entries`);
    }
    let sum = 0;
    if (beta === 2 && !M && !dual && eps === 0) {
      // Euclidean fast path (no call per entry); the checks only reject what ½(x−y)² would not.
      for (let i = 0; i < V.length; i++) {
        const x = V[i],
          y = L[i];
        if (!(x >= 0 && y >= 0 && x < Infinity && y < Infinity)) {
          if (!(x >= 0 && x < Infinity)) fail('invalid data value', `V[${i}] = ${x}`);
          fail('invalid model value', `Λ[${i}] = ${y}`);
        }
        const d = x - y;
        sum += d * d;
      }
      return 0.5 * sum;
    }
    for (let i = 0; i < V.length; i++) {
      const m = M ? M[i] : 1;
      if (m === 0) continue; // masked entries do not count, even where d is undefined
      const x = V[i] + eps,
        y = L[i] + eps;
      if (x > 0 && y > 0) {
        sum += m * (dual ? betaPositive(y, x, beta) : betaPositive(x, y, beta));
        continue;
      }
      if (!(x >= 0 && x < Infinity)) fail('invalid data value', `V[${i}] = ${V[i]}`);
      if (!(y >= 0 && y < Infinity)) fail('invalid model value', `Λ[${i}] = ${L[i]}`);
      if (x === 0 && needsPositiveData) fail(`${what} is undefined at a zero data entry`, `V[${i}] = 0`);
      sum += m * at(x, y);
    }
    return sum;
  };

  const div: Divergence = {
    id: o.id,
    beta,
    dual,
    eps,
    // The MU theory (MM exponent, φ″ weight) is for the right-argument problem only.
    mmExponent: dual ? undefined : mmExponent(beta),
    scaling: beta,
    noiseModel: dual ? undefined : noiseModel(beta),
    needsPositiveData,
    point,
    derivative: dual
      ? (x, y) => betaLinkDifference(y + eps, x + eps, beta)
      : (x, y) => betaDerivative(x + eps, y + eps, beta),
    weight: dual ? undefined : (y) => betaWeight(y + eps, beta),
    value,
  };
  if (!dual) {
    div.negLogLikelihood = (V, L, M) => {
      let c = 0;
      if (beta === 0 || beta === 1 || beta === 2) {
        for (let i = 0; i < V.length; i++) {
          const m = M ? M[i] : 1;
          if (m !== 0) c += m * nllConstant(V[i] + eps, beta);
        }
      }
      return value(V, L, M) + c;
    };
  }
  return div;
}
