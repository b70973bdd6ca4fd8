import { describe, expect, it } from 'vitest';
import { buildRegistry } from '../../../../test/support/registry.js';
import type { Divergence } from '@nmflab/core';

const registry = await buildRegistry();
const d: Divergence = registry.create('divergence', 'kl');

describe('kl divergence', () => {
  it('is x log(x/y) − x + y, with d(0|y) = y, derivative 1 − x/y and weight 1/y', () => {
    for (const [x, y] of [
      [3, 1],
      [0.2, 7],
      [5, 5.5],
    ] as const) {
      expect(d.point(x, y)).toBeCloseTo(x * Math.log(x / y) - x + y, 14);
      expect(d.derivative(x, y)).toBeCloseTo(1 - x / y, 15);
      expect(d.weight!(y)).toBeCloseTo(1 / y, 15);
    }
    expect(d.point(0, 2.5)).toBe(2.5);
  });

  it('keeps full relative precision at x ≈ y, where the raw formula cancels', () => {
    // d ≈ (x − y)²/(2y) − (x − y)³/(6y²) for x ≈ y.
    const y = 3,
      e = 3e-7,
      x = y + e;
    const series = (e * e) / (2 * y) - (e * e * e) / (6 * y * y);
    expect(Math.abs(d.point(x, y) - series) / series).toBeLessThan(1e-9);
  });

  it('is the Poisson negative log-likelihood up to nothing (log Γ(x+1) − x log x + x is added), β = 1, γ = 1', () => {
    const V = Float64Array.from([0, 2, 5]),
      L = Float64Array.from([0.5, 1.5, 4]);
    let nll = 0;
    for (let i = 0; i < V.length; i++) {
      const x = V[i],
        y = L[i];
      let logFact = 0;
      for (let k = 2; k <= x; k++) logFact += Math.log(k);
      nll += y - x * Math.log(y) + logFact;
    }
    expect(d.negLogLikelihood!(V, L)).toBeCloseTo(nll, 12);
    expect(d.beta).toBe(1);
    expect(d.mmExponent).toBe(1);
    expect(d.noiseModel).toBe('poisson');
  });

  it('eps shifts both arguments', () => {
    const k = registry.create('divergence', { id: 'kl', params: { eps: 0.5 } });
    expect(k.point(1, 0)).toBe(d.point(1.5, 0.5));
  });
});
