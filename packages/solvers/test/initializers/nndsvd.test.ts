import { describe, expect, it } from 'vitest';
import { Matrix, Rng, matmul, maxRelDiff } from '@nmflab/core';
import plugin from '../../src/initializers/nndsvd.js';
import { data, leadingTriplet, nonNegative, run } from '../support/initializers.js';

const init = plugin.create({}, {} as never);

describe('initializer nndsvd', () => {
  it('the first pair is sqrt(σ₁)|u₁|, sqrt(σ₁)|v₁| (checked against power iteration)', () => {
    const V = data(12, 9);
    const { W, H } = run(init, V, 4);
    const { s, u, v } = leadingTriplet(V);
    expect(maxRelDiff(W.col(0), u.map((x) => Math.sqrt(s) * Math.abs(x)))).toBeLessThan(1e-9);
    expect(maxRelDiff(H.row(0), v.map((x) => Math.sqrt(s) * Math.abs(x)))).toBeLessThan(1e-9);
  });
  it('reproduces a positive rank-1 matrix exactly, and later pairs are non-negative with zeros', () => {
    const rng = new Rng(3);
    const a = Matrix.fromRows(Array.from({ length: 7 }, () => [0.5 + rng.uniform()]));
    const b = Matrix.fromRows([Array.from({ length: 5 }, () => 0.5 + rng.uniform())]);
    const V = matmul(a, b);
    const { W, H } = run(init, V, 1);
    expect(maxRelDiff(matmul(W, H).data, V.data)).toBeLessThan(1e-12);
    const r = run(init, data(12, 9), 4);
    expect(nonNegative(r.W) && nonNegative(r.H)).toBe(true);
    expect(r.W.data.some((x) => x === 0)).toBe(true);
    expect([...r.W.data, ...r.H.data].every((x) => x === 0 || x >= 1e-6)).toBe(true);
  });
  it('is deterministic (does not use the seed) and refuses K > min(F, N)', () => {
    const V = data(12, 9);
    expect(Array.from(run(init, V, 4, 1).W.data)).toEqual(Array.from(run(init, V, 4, 2).W.data));
    expect(() => run(init, V, 10)).toThrow(/rank ≤ min/);
  });
});
