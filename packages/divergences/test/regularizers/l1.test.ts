import { describe, expect, it } from 'vitest';
import { buildRegistry } from '../../../../test/support/registry.js';
import type { Regularizer } from '@nmflab/core';

const registry = await buildRegistry();

describe('l1 regularizer', () => {
  it('is λΣ|x| with the exact linear majorizer (q = 0, l = λ) and the quadratic bound λ/(2x̄)', () => {
    const r: Regularizer = registry.create('regularizer', { id: 'l1', params: { lambda: 0.3, target: 'W' } });
    expect(r.value(Float64Array.from([1, -2, 0, 4]))).toBeCloseTo(0.3 * 7, 15);
    const out = new Float64Array(2);
    r.majorize(5, out);
    expect([...out]).toEqual([0, 0.3]);
    r.majorizeQuadratic!(5, out);
    expect(out[0]).toBeCloseTo(0.3 / 10, 16);
    expect(out[1]).toBe(0);
    expect(r.target).toBe('W');
    expect(r.p).toBe(1);
    expect(r.needsNormalization).toBe(true);
  });

  it('rejects a negative λ and an unknown target with the params path', () => {
    expect(
      registry
        .validate('regularizer', { id: 'l1', params: { lambda: -1 } }, { path: 'model.regularizers[0]' })
        .errors.map((e) => e.format()),
    ).toEqual([expect.stringMatching(/model\.regularizers\[0\]\.params\.lambda: out of range/)]);
    expect(registry.validate('regularizer', { id: 'l1', params: { target: 'V' } }).errors[0].format()).toMatch(
      /one of W, H/,
    );
  });
});
