import { describe, expect, it } from 'vitest';
import { NmflabError, type Divergence } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';
import { divergenceProperties } from '../../../../test/conformance/divergence.js';

const registry = await buildRegistry();
const make = (trials: number): Divergence => registry.create('divergence', { id: 'binomial', params: { trials } });

describe('binomial divergence', () => {
  const d = make(100);

  it('is x log(x/μ) + (n−x) log((n−x)/(n−μ)) = KL(x|μ) + KL(n−x|n−μ), with zero limits at x = 0 and x = n', () => {
    const kl = registry.create('divergence', 'kl');
    for (const [x, y] of [
      [30, 10],
      [3, 40],
      [55, 54.5],
      [99, 2],
    ] as const) {
      expect(d.point(x, y)).toBeCloseTo(x * Math.log(x / y) + (100 - x) * Math.log((100 - x) / (100 - y)), 12);
      expect(d.point(x, y)).toBeCloseTo(kl.point(x, y) + kl.point(100 - x, 100 - y), 12);
    }
    expect(d.point(0, 20)).toBeCloseTo(100 * Math.log(100 / 80), 13);
    expect(d.point(100, 20)).toBeCloseTo(100 * Math.log(100 / 20), 13);
    expect(d.point(0, 0)).toBe(0);
    expect(d.point(5, 0)).toBe(Infinity);
  });

  it('is symmetric under success/failure relabelling: d(x|μ) = d(n−x|n−μ)', () => {
    for (const [x, y] of [
      [30, 10],
      [3, 40],
      [70.5, 71],
    ] as const)
      expect(d.point(x, y)).toBeCloseTo(d.point(100 - x, 100 - y), 12);
  });

  it('is the binomial negative log-likelihood: negLogLikelihood = −Σ log C(n,x) p^x (1−p)^(n−x), p = μ/n', () => {
    const V = Float64Array.from([0, 7, 25, 100]),
      L = Float64Array.from([10, 12.5, 20, 40]);
    let nll = 0;
    for (let i = 0; i < V.length; i++) {
      const x = V[i],
        p = L[i] / 100;
      let logC = 0;
      for (let k = 1; k <= x; k++) logC += Math.log((100 - x + k) / k);
      nll -= logC + (x > 0 ? x * Math.log(p) : 0) + (x < 100 ? (100 - x) * Math.log(1 - p) : 0);
    }
    expect(d.negLogLikelihood!(V, L)).toBeCloseTo(nll, 9);
    expect(d.noiseModel).toBe('binomial(100)');
  });

  it('names the entry when data or model leave [0, n] (an error, not NaN)', () => {
    expect(() => d.point(101, 50)).toThrow(NmflabError);
    expect(() => d.point(-1, 50)).toThrow(NmflabError);
    expect(() => d.point(50, 100.5)).toThrow(/Λ = 100.5/);
    expect(() => d.value(Float64Array.from([1, 120]), Float64Array.from([2, 3]))).toThrow(/V\[1\] = 120/);
    expect(() => registry.create('divergence', 'binomial')).toThrow(/trials/);
  });

  // The shared properties sample x, y in (1e-5, 1e5): with n = 1e6 all of them lie inside (0, n).
  describe('divergence properties (n = 1e6)', () => {
    for (const c of divergenceProperties(() => make(1e6))) it(c.name, c.run);
  });
});
