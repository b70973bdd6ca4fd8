import { describe, expect, it } from 'vitest';
import { type Matrix, NmflabError, Rng } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';

const registry = await buildRegistry();
type Loaded = { matrix: Matrix; extra: { labels: number[]; components: number; clipped: number; means: number[][] } };
const load = (params: Record<string, unknown>, seed = 3): Loaded =>
  registry.create('source', { id: 'exp-family-mixture', params }, { path: 'data' }).load(new Rng(seed)) as Loaded;

describe('source exp-family-mixture', () => {
  it('draws each component with its mean and the model’s variance (σ², μ, μ(1 − μ/n), μ²/α)', () => {
    const variance = {
      gaussian: () => 4,
      poisson: (m: number) => m,
      binomial: (m: number) => m * (1 - m / 50),
      gamma: (m: number) => (m * m) / 8,
    };
    for (const model of ['gaussian', 'poisson', 'binomial', 'gamma'] as const) {
      const d = load({ model, points: 6000, means: [10, 25], sigma: 2, trials: 50, shape: 8 });
      for (const [c, mu] of [
        [0, 10],
        [1, 25],
      ] as const) {
        const xs = d.matrix.data.filter((_x, j) => d.extra.labels[j] === c);
        const m = xs.reduce((s, x) => s + x, 0) / xs.length;
        const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
        expect(Math.abs(m - mu), `${model} mean`).toBeLessThan(4 * Math.sqrt(variance[model](mu) / xs.length));
        expect(v / variance[model](mu), `${model} variance`).toBeGreaterThan(0.9);
        expect(v / variance[model](mu), `${model} variance`).toBeLessThan(1.1);
        if (model === 'poisson' || model === 'binomial') expect(xs.every(Number.isInteger)).toBe(true);
      }
    }
  });

  it('labels: equal priors, the same for every model at one seed; data reproducible from the seed', () => {
    const a = load({ model: 'poisson', points: 3000 }),
      b = load({ model: 'gamma', points: 3000 });
    expect(a.extra.labels).toEqual(b.extra.labels);
    expect(a.extra.components).toBe(3);
    for (let c = 0; c < 3; c++) {
      const share = a.extra.labels.filter((z) => z === c).length / 3000;
      expect(Math.abs(share - 1 / 3)).toBeLessThan(4 * Math.sqrt(((1 / 3) * (2 / 3)) / 3000));
    }
    expect(load({ model: 'poisson', points: 3000 }).matrix.data).toEqual(a.matrix.data);
    expect(load({ model: 'poisson', points: 3000 }, 4).matrix.data).not.toEqual(a.matrix.data);
  });

  it('V is dim × points, a column per point; vector means per coordinate; Gaussian negatives floored at 0 and counted', () => {
    const d = load({
      model: 'gaussian',
      points: 2000,
      dim: 2,
      means: [
        [5, 40],
        [40, 5],
      ],
      sigma: 5,
    });
    expect([d.matrix.rows, d.matrix.cols]).toEqual([2, 2000]);
    const row0 = d.matrix.data.subarray(0, 2000);
    const m0 = row0.filter((_x, j) => d.extra.labels[j] === 0);
    expect(m0.reduce((s, x) => s + x, 0) / m0.length).toBeGreaterThan(5); // floored tail lifts the mean
    expect(Math.min(...d.matrix.data)).toBe(0);
    expect(d.extra.clipped).toBeGreaterThan(0);
    expect(d.matrix.data.filter((x) => x === 0).length).toBe(d.extra.clipped);
  });

  it('rejects means outside the model’s range or of the wrong length, naming the entry', () => {
    expect(() => load({ model: 'binomial', trials: 30, means: [10, 40] })).toThrow(
      /data\.params\.means\[1\].*\(0, trials = 30\)/,
    );
    expect(() => load({ model: 'poisson', means: [10, 0] })).toThrow(NmflabError);
    expect(() =>
      load({
        dim: 2,
        means: [
          [1, 2],
          [1, 2, 3],
        ],
      }),
    ).toThrow(/means\[1\].*dim = 2/);
  });
});
