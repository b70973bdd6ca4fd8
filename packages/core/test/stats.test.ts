import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { holm, pairedTests, summarize } from '../src/stats.js';
import { studentTCdf, studentTQuantile } from '../src/stats.js';

// scipy.stats reference values, made by scripts/make-stats-fixture.py (tests never call Python).
const fx = JSON.parse(readFileSync(new URL('./fixtures/stats/scipy-stats.json', import.meta.url), 'utf8')) as {
  quantiles: { p: number; df: number; t: number }[];
  cdfs: { t: number; df: number; cdf: number }[];
  summaries: { x: number[]; mean: number; std: number; ciLow: number; ciHigh: number }[];
  paired: {
    name: string;
    a: number[];
    b: number[];
    t: number;
    tp: number;
    dz: number;
    w: number;
    wp: number;
    rankBiserial: number;
  }[];
  holm: { p: number[]; adjusted: number[] }[];
};

const close = (got: number, want: number, rel = 1e-9) =>
  expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want)));

describe('stats against scipy', () => {
  it('Student-t quantiles (scipy.stats.t.ppf)', () => {
    expect(fx.quantiles.length).toBeGreaterThan(50);
    // scipy's ppf itself is good to ~1e-8 (its own cdf of it misses p by up to 4e-10)
    for (const q of fx.quantiles) close(studentTQuantile(q.p, q.df), q.t, 1e-8);
  });

  it('Student-t CDF (scipy.stats.t.cdf)', () => {
    for (const c of fx.cdfs) close(studentTCdf(c.t, c.df), c.cdf, 1e-13);
  });

  it('the quantile inverts the CDF', () => {
    for (const q of fx.quantiles) close(studentTCdf(studentTQuantile(q.p, q.df), q.df), q.p, 1e-13);
  });

  it('mean, std and 95 % CI (scipy.stats.t.interval)', () => {
    for (const s of fx.summaries) {
      const r = summarize(s.x);
      close(r.mean, s.mean, 1e-12);
      close(r.std, s.std, 1e-12);
      close(r.ciLow, s.ciLow, 1e-9);
      close(r.ciHigh, s.ciHigh, 1e-9);
    }
  });

  it('paired t-test, Wilcoxon signed-rank, effect sizes (scipy.stats.ttest_rel, wilcoxon)', () => {
    for (const c of fx.paired) {
      const r = pairedTests(c.a, c.b);
      close(r.t.statistic, c.t, 1e-10);
      close(r.t.p, c.tp, 1e-9);
      close(r.t.effect, c.dz, 1e-10);
      expect(r.wilcoxon.statistic, c.name).toBe(c.w);
      close(r.wilcoxon.p, c.wp, 1e-9);
      close(r.wilcoxon.effect, c.rankBiserial, 1e-12);
    }
  });

  it('Holm adjustment', () => {
    for (const h of fx.holm) holm(h.p).forEach((x, i) => close(x, h.adjusted[i], 1e-15));
  });
});

describe('stats edge cases', () => {
  it('one value: mean, no interval', () => {
    const s = summarize([3]);
    expect(s.mean).toBe(3);
    expect(s.std).toBe(0);
    expect(Number.isNaN(s.ciHalf)).toBe(true);
  });

  it('identical samples: p = 1, no effect', () => {
    const r = pairedTests([1, 2, 3], [1, 2, 3]);
    expect(r.wilcoxon.p).toBe(1);
    expect(r.wilcoxon.effect).toBe(0);
    expect(r.t.effect).toBe(0);
  });

  it('rejects unequal lengths and too few pairs', () => {
    expect(() => pairedTests([1, 2], [1])).toThrow(/differ in length/);
    expect(() => pairedTests([1], [2])).toThrow(/at least 2/);
  });
});
