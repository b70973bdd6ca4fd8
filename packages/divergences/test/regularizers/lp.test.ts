import { describe, expect, it } from 'vitest';
import { buildRegistry } from '../../../../test/support/registry.js';
import type { Regularizer } from '@nmflab/core';
import { regularizerProperties } from '../../../../test/conformance/regularizer.js';

const registry = await buildRegistry();
const make = (params: Record<string, unknown>): Regularizer => registry.create('regularizer', { id: 'lp', params });

describe('lp regularizer', () => {
  it('uses the tangent line for p ≤ 1 (x̄ floored at eps), Kameoka’s bound for 1 < p < 2, exact at p = 2', () => {
    const out = new Float64Array(2);
    make({ p: 0.5, lambda: 2 }).majorize(4, out);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(2 * 0.5 * 4 ** -0.5, 15);
    make({ p: 0.5, lambda: 2, eps: 1e-6 }).majorize(0, out);
    expect(out[1]).toBeCloseTo(2 * 0.5 * 1e-6 ** -0.5, 6);
    make({ p: 1.5, lambda: 2 }).majorize(4, out);
    expect(out[0]).toBeCloseTo(2 * 0.75 * 4 ** -0.5, 15);
    expect(out[1]).toBe(0);
    make({ p: 2, lambda: 2 }).majorize(4, out);
    expect([...out]).toEqual([2, 0]);
  });

  it('rejects p outside (0, 2]', () => {
    for (const p of [0, -1, 2.5]) {
      expect(registry.validate('regularizer', { id: 'lp', params: { p } }).errors[0].format()).toMatch(
        /params\.p: out of range/,
      );
    }
  });

  for (const p of [0.3, 1, 1.5, 2]) {
    describe(`conformance properties at p = ${p}`, () => {
      for (const c of regularizerProperties(() => make({ p, lambda: 0.7 }))) it(c.name, c.run);
    });
  }
});
