import { describe, expect, it } from 'vitest';
import { Matrix, NmflabError } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';

const registry = await buildRegistry();

describe('lp-norm metric', () => {
  const W = new Matrix(2, 2, Float64Array.from([3, 1, 4, 2]));
  const H = new Matrix(1, 3, Float64Array.from([1, 2, 2]));

  it('gives per-column (W) and per-row (H) p-norms and the totals', () => {
    const m2 = registry.create('metric', { id: 'lp-norm', params: { p: 2 } }).compute({ W, H });
    expect(m2.W).toEqual([5, Math.sqrt(5)]);
    expect(m2.H).toEqual([3]);
    expect(m2.W_total).toBeCloseTo(Math.sqrt(30), 14);
    const m1 = registry.create('metric', 'lp-norm').compute({ W });
    expect(m1.W).toEqual([7, 3]);
    expect(m1.W_total).toBe(10);
  });

  it('with power: true reports Σ|x|^p, the value of an lp penalty with λ = 1', () => {
    const m = registry.create('metric', { id: 'lp-norm', params: { p: 0.5, power: true } }).compute({ H });
    const lp = registry.create('regularizer', { id: 'lp', params: { p: 0.5, lambda: 1 } });
    expect(m.H_total).toBeCloseTo(lp.value(H.data), 14);
  });

  it('needs W or H', () => {
    expect(() => registry.create('metric', 'lp-norm').compute({})).toThrow(NmflabError);
  });
});
