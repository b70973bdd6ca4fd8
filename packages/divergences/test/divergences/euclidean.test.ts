import { describe, expect, it } from 'vitest';
import { buildRegistry } from '../../../../test/support/registry.js';
import type { Divergence } from '@nmflab/core';

const registry = await buildRegistry();
const d: Divergence = registry.create('divergence', 'euclidean');

describe('euclidean divergence', () => {
  it('is ½(x − y)² with derivative y − x, weight 1, exact at x ≈ y', () => {
    for (const [x, y] of [
      [3, 1],
      [0, 2.5],
      [1, 1 + 2 ** -40],
      [1e6, 1e-6],
    ] as const) {
      expect(d.point(x, y)).toBe(0.5 * (x - y) ** 2);
      expect(d.derivative(x, y)).toBe(y - x);
      expect(d.weight!(y)).toBe(1);
    }
  });

  it('is the Gaussian (unit variance) negative log-likelihood up to ½ log 2π per entry, β = 2, γ = 1', () => {
    const V = Float64Array.from([0, 1, 4]),
      L = Float64Array.from([1, 1, 2]);
    expect(d.value(V, L)).toBe(0.5 + 0 + 2);
    expect(d.negLogLikelihood!(V, L)).toBeCloseTo(2.5 + 1.5 * Math.log(2 * Math.PI), 14);
    expect(d.beta).toBe(2);
    expect(d.mmExponent).toBe(1);
    expect(d.noiseModel).toBe('gaussian');
    expect(d.needsPositiveData).toBe(false);
  });
});
