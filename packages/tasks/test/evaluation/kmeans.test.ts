import { describe, expect, it } from 'vitest';
import { Rng } from '@nmflab/core';
import { bregmanKMeans, type PointDivergence } from '../../src/evaluation/kmeans.js';

const SQUARED: PointDivergence = { point: (x, m) => (x - m) ** 2 };
// generalized KL, d(x | μ) = x log(x/μ) − x + μ: +∞ where x > 0 = μ
const KL: PointDivergence = { point: (x, m) => (x === 0 ? m : m === 0 ? Infinity : x * Math.log(x / m) - x + m) };

/** n points in d dimensions around three positive centres, point-major. */
function blobs(seed: number, n = 60, d = 3): Float64Array {
  const r = new Rng(seed);
  const X = new Float64Array(n * d);
  for (let j = 0; j < n; j++) for (let q = 0; q < d; q++) X[j * d + q] = 1 + 4 * (j % 3) + r.uniform();
  return X;
}

describe('evaluation/kmeans: Bregman k-means with k-means++ seeding', () => {
  it('J never increases over the half-steps, and the final labels are each point’s nearest centre', () => {
    for (const D of [SQUARED, KL])
      for (const seed of [1, 2, 3, 4]) {
        const X = blobs(seed);
        const c = bregmanKMeans(X, 60, 3, 3, D, new Rng(seed), 50);
        for (let t = 1; t < c.trajectory.length; t++)
          expect(c.trajectory[t]).toBeLessThanOrEqual(c.trajectory[t - 1] * (1 + 1e-12));
        expect(c.objective).toBe(c.trajectory[c.trajectory.length - 1]);
        const dphi = (j: number, k: number) => {
          let s = 0;
          for (let q = 0; q < 3; q++) s += D.point(X[j * 3 + q], c.centres[k * 3 + q]);
          return s;
        };
        for (let j = 0; j < 60; j++)
          for (let k = 0; k < 3; k++) expect(dphi(j, c.labels[j])).toBeLessThanOrEqual(dphi(j, k));
      }
  });

  it('same seed, same bits; another seed still finds the three separated groups', () => {
    const X = blobs(9);
    const a = bregmanKMeans(X, 60, 3, 3, SQUARED, new Rng(5), 50);
    const b = bregmanKMeans(X, 60, 3, 3, SQUARED, new Rng(5), 50);
    expect(Array.from(b.centres)).toEqual(Array.from(a.centres));
    expect(b.trajectory).toEqual(a.trajectory);
    const c = bregmanKMeans(X, 60, 3, 3, SQUARED, new Rng(6), 50);
    for (let j = 3; j < 60; j++) expect(c.labels[j]).toBe(c.labels[j % 3]);
    expect(new Set(c.labels).size).toBe(3);
  });

  it('no cluster stays empty: k equal to the number of distinct points gives J = 0', () => {
    const X = Float64Array.from([0, 0, 0, 0, 5, 5, 5, 5, 9, 9]); // 1-D, three distinct values, n = 10
    for (const seed of [1, 2, 3]) {
      const c = bregmanKMeans(X, 10, 1, 3, SQUARED, new Rng(seed), 20);
      expect(new Set(c.labels).size).toBe(3);
      expect(c.objective).toBe(0);
      expect(c.converged).toBe(true);
    }
  });

  it('seeding takes the points at +∞ first (KL: a zero coordinate in the first centre)', () => {
    // the point (0, 1) against (1, 1) and (1, 0) is at +∞ from the first centre unless it is one
    const X = Float64Array.from([1, 0, 0, 1, 1, 1e-3]);
    for (const seed of [1, 2, 3, 4, 5]) {
      const c = bregmanKMeans(X, 3, 2, 2, KL, new Rng(seed), 20);
      expect(Number.isFinite(c.objective)).toBe(true);
    }
  });
});
