import { describe, expect, it } from 'vitest';
import { Rng, deriveSeed } from '@nmflab/core';

describe('Rng', () => {
  it('same seed gives bit-identical streams', () => {
    const a = new Rng(123),
      b = new Rng(123);
    const xa = new Float64Array(1000),
      xb = new Float64Array(1000);
    a.fillNormal(xa);
    b.fillNormal(xb);
    expect(Buffer.from(xa.buffer).equals(Buffer.from(xb.buffer))).toBe(true);
  });
  it('different seeds and forks differ', () => {
    expect(new Rng(1).uniform()).not.toBe(new Rng(2).uniform());
    const r = new Rng(5);
    expect(r.fork('restart-0').uniform()).not.toBe(r.fork('restart-1').uniform());
    expect(r.fork('x').uniform()).toBe(new Rng(5).fork('x').uniform());
  });
  it('uniform in [0,1) with the right mean; normal with mean 0 and variance 1', () => {
    const r = new Rng(9);
    const n = 200_000;
    let s = 0,
      s2 = 0,
      u = 0,
      min = 1,
      max = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
      const v = r.uniform();
      u += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(u / n - 0.5)).toBeLessThan(0.01);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });
  it('permutation is a permutation', () => {
    const p = Array.from(new Rng(3).permutation(50)).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
  it('deriveSeed is stable and label-sensitive', () => {
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(() => new Rng(1.5)).toThrow(/integer/);
  });
});
