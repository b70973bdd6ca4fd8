import { describe, expect, it } from 'vitest';
import { buildRegistry } from '../../../../test/support/registry.js';
import type { Regularizer } from '@nmflab/core';

const registry = await buildRegistry();

describe('l2 regularizer', () => {
  it('is ½λΣx² with gradient λx and the exact majorizer q = λ/2', () => {
    const r: Regularizer = registry.create('regularizer', { id: 'l2', params: { lambda: 0.4 } });
    expect(r.value(Float64Array.from([1, 2, 3]))).toBeCloseTo(0.2 * 14, 15);
    expect(r.derivative(3)).toBeCloseTo(1.2, 15);
    const out = new Float64Array(2);
    r.majorize(7, out);
    expect(out[0]).toBeCloseTo(0.2, 16);
    expect(out[1]).toBe(0);
    expect(r.target).toBe('H');
    expect(r.p).toBe(2);
  });
});
