import { describe, expect, it } from 'vitest';
import { buildRegistry } from '../../../../test/support/registry.js';
import { NmflabError, type Divergence } from '@nmflab/core';

const registry = await buildRegistry();
const d: Divergence = registry.create('divergence', 'is', { path: 'model.divergence' });

describe('is divergence', () => {
  it('is x/y − log(x/y) − 1, scale-invariant, derivative (y − x)/y², weight 1/y²', () => {
    for (const [x, y] of [
      [3, 1],
      [0.2, 7],
      [5, 5.5],
    ] as const) {
      expect(d.point(x, y)).toBeCloseTo(x / y - Math.log(x / y) - 1, 14);
      expect(d.point(1000 * x, 1000 * y)).toBeCloseTo(d.point(x, y), 14);
      expect(d.derivative(x, y)).toBeCloseTo((y - x) / (y * y), 14);
      expect(d.weight!(y)).toBeCloseTo(1 / (y * y), 14);
    }
  });

  it('rejects zero data with an error naming the params path and the eps remedy; eps > 0 accepts it', () => {
    const V = Float64Array.from([1, 0, 2]),
      L = Float64Array.from([1, 1, 1]);
    expect(() => d.value(V, L)).toThrow(NmflabError);
    expect(() => d.value(V, L)).toThrow(/model\.divergence\.params: .*Itakura|model\.divergence\.params: .*β = 0/);
    expect(() => d.value(V, L)).toThrow(/params\.eps > 0/);
    const e = registry.create('divergence', { id: 'is', params: { eps: 1e-6 } });
    expect(Number.isFinite(e.value(V, L))).toBe(true);
  });

  it('is the exponential negative log-likelihood Σ log y + x/y (the constant log x + 1 is added), γ = ½', () => {
    const V = Float64Array.from([0.5, 2, 5]),
      L = Float64Array.from([1, 1.5, 4]);
    let nll = 0;
    for (let i = 0; i < V.length; i++) nll += Math.log(L[i]) + V[i] / L[i];
    expect(d.negLogLikelihood!(V, L)).toBeCloseTo(nll, 13);
    expect(d.mmExponent).toBe(0.5);
    expect(d.scaling).toBe(0);
    expect(d.needsPositiveData).toBe(true);
    expect(d.noiseModel).toBe('exponential');
  });
});
