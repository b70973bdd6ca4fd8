import { describe, expect, it } from 'vitest';
import { type Matrix, Rng } from '@nmflab/core';
import plugin, { gamma, poisson } from '../../src/sources/exp-family-synthetic.js';

const load = (noise: string, extra: Record<string, unknown> = {}) =>
  plugin
    .create({ rows: 40, cols: 50, rank: 3, noise, mean: 10, sigma: 1, shape: 1, ...extra } as never, {
      registry: undefined as never,
      path: 'data.params',
    })
    .load(new Rng(3)) as { matrix: Matrix; extra: { mean: Matrix } };

describe('source exp-family-synthetic', () => {
  it('draws Poisson and Gamma variates with the right mean and variance', () => {
    const r = new Rng(1);
    for (const lam of [0.5, 4, 45]) {
      const xs = Array.from({ length: 20000 }, () => poisson(r, lam));
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
      expect(xs.every(Number.isInteger)).toBe(true);
      expect(Math.abs(m - lam)).toBeLessThan(4 * Math.sqrt(lam / xs.length));
      expect(v / lam).toBeGreaterThan(0.93);
      expect(v / lam).toBeLessThan(1.07);
    }
    for (const a of [0.5, 1, 3]) {
      const xs = Array.from({ length: 20000 }, () => gamma(r, a));
      const m = xs.reduce((s, b) => s + b, 0) / xs.length;
      const v = xs.reduce((s, b) => s + (b - m) ** 2, 0) / xs.length;
      expect(Math.abs(m - a)).toBeLessThan(4 * Math.sqrt(a / xs.length));
      expect(v / a).toBeGreaterThan(0.9);
      expect(v / a).toBeLessThan(1.1);
    }
  });
  it('puts each noise model around the same low-rank mean Λ (mean 10), reproducibly', () => {
    for (const noise of ['gaussian', 'poisson', 'gamma']) {
      const d = load(noise);
      const L = d.extra.mean;
      let m = 0,
        r = 0,
        v = 0;
      for (let i = 0; i < L.data.length; i++) {
        m += L.data[i];
        r += d.matrix.data[i] - L.data[i];
        v += noise === 'gaussian' ? 1 : noise === 'poisson' ? L.data[i] : L.data[i] ** 2; // Var(x) under each model
      }
      expect(m / L.data.length).toBeCloseTo(10, 10);
      expect(Math.abs(r / L.data.length)).toBeLessThan((4 * Math.sqrt(v)) / L.data.length); // 4 sd of the mean residual
      expect(d.matrix.data.every((x) => x >= 0)).toBe(true);
      expect(load(noise).matrix.data).toEqual(d.matrix.data);
    }
    expect(load('gaussian', { sigma: 2 }).matrix.data).not.toEqual(load('gaussian').matrix.data);
  });
});
