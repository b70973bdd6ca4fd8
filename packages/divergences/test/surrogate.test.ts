import { describe, expect, it } from 'vitest';
import { Rng, type Regularizer } from '@nmflab/core';
import { buildRegistry } from '../../../test/support/registry.js';
import { betaPoint, mmExponent, penalizedMMStep } from '@nmflab/divergences';

const registry = await buildRegistry();

/** f(h) = Σ_f d_β(v_f | Σ_k w_fk h_k) + Σ_k r(h_k) for one column. */
function objective(beta: number, V: number[], W: number[][], h: number[], r?: Regularizer): number {
  let f = 0;
  V.forEach((v, i) => {
    const lam = W[i].reduce((s, w, k) => s + w * h[k], 0);
    f += betaPoint(v, lam, beta);
  });
  if (r) for (const x of h) f += r.point(x);
  return f;
}

/** One MM step on every entry of h: a, b from Λ, then the exact per-entry surrogate minimizer. */
function step(
  beta: number,
  V: number[],
  W: number[][],
  h: number[],
  r: Regularizer | undefined,
  quadratic: boolean,
): number[] {
  const K = h.length;
  const lam = V.map((_, i) => W[i].reduce((s, w, k) => s + w * h[k], 0));
  const out = new Float64Array(2);
  return h.map((hb, k) => {
    let a = 0,
      b = 0;
    V.forEach((v, i) => {
      a += W[i][k] * lam[i] ** (beta - 1);
      b += W[i][k] * v * lam[i] ** (beta - 2);
    });
    let q = 0,
      l = 0;
    if (r) {
      if (quadratic) r.majorizeQuadratic!(hb, out);
      else r.majorize(hb, out);
      q = out[0];
      l = out[1];
    }
    void K;
    return penalizedMMStep(beta, a, b, hb, q, l);
  });
}

describe('penalizedMMStep (exact per-entry MM surrogate minimizer)', () => {
  it('without penalty is the MM multiplicative update h̄·(b/a)^γ(β)', () => {
    for (const beta of [-1, 0, 0.5, 1, 1.5, 2, 2.5, 3]) {
      expect(penalizedMMStep(beta, 2, 5, 0.3, 0, 0) / (0.3 * (5 / 2) ** mmExponent(beta))).toBeCloseTo(1, 13);
    }
  });

  it('reproduces the reference KL counterexample: the exact step takes f from 1051.3 to 407.3', () => {
    // v = 100, w = 1, h̄ = 1e-3, λ = 5, p = 1.5 (reference §2b)
    const r = registry.create('regularizer', { id: 'lp', params: { p: 1.5, lambda: 5 } });
    const V = [100],
      W = [[1]],
      h = [1e-3];
    expect(objective(1, V, W, h, r)).toBeCloseTo(1051.3, 1);
    const h1 = step(1, V, W, h, r, false);
    expect(objective(1, V, W, h1, r)).toBeCloseTo(407.3, 1);
  });

  it('never increases the penalized objective, for β ∈ {−1, 0, ½, 1, 3/2, 2, 5/2, 3} and p ∈ {0.5, 1, 1.5, 2}', () => {
    const rng = new Rng(7);
    const u = () => rng.uniform();
    let trials = 0;
    for (const beta of [-1, 0, 0.5, 1, 1.5, 2, 2.5, 3]) {
      for (const p of [0.5, 1, 1.5, 2]) {
        const r = registry.create('regularizer', { id: 'lp', params: { p, lambda: 0.5 } });
        for (const quadratic of [false, true]) {
          for (let t = 0; t < 12; t++) {
            const F = 4,
              K = 3;
            const V = Array.from({ length: F }, () => 0.05 + 3 * u());
            const W = Array.from({ length: F }, () => Array.from({ length: K }, () => 0.01 + u()));
            let h = Array.from({ length: K }, () => 0.01 + 2 * u());
            let f = objective(beta, V, W, h, r);
            for (let it = 0; it < 5; it++) {
              h = step(beta, V, W, h, r, quadratic).map((x) => Math.max(x, 1e-12));
              const f1 = objective(beta, V, W, h, r);
              expect(
                f1,
                `β=${beta} p=${p} ${quadratic ? 'quadratic' : 'majorize'} trial ${t} it ${it}`,
              ).toBeLessThanOrEqual(f * (1 + 1e-12));
              f = f1;
              trials++;
            }
          }
        }
      }
    }
    expect(trials).toBe(8 * 4 * 2 * 12 * 5);
  });

  it('is the root to rounding over 12 decades of a, b, q, also far below the unpenalized step (β ∈ {−1, −0.5, 0, ½, 1.5, 3})', () => {
    // F(t) = a t^{e1} − b t^{e2} + 2q h̄ t + l changes sign within 1e-12 of the returned t = h/h̄.
    const rng = new Rng(3);
    const lu = (lo: number, hi: number) => 10 ** (lo + (hi - lo) * rng.uniform());
    for (const beta of [-1, -0.5, 0, 0.5, 1.5, 3]) {
      const e1 = beta < 1 ? 0 : beta - 1,
        e2 = beta > 2 ? 0 : beta - 2;
      for (let i = 0; i < 300; i++) {
        const a = lu(-6, 6),
          b = lu(-6, 6),
          hb = lu(-8, 2),
          q = lu(-8, 8);
        const t = penalizedMMStep(beta, a, b, hb, q, 0) / hb;
        const F = (x: number) => a * x ** e1 - b * x ** e2 + 2 * q * hb * x;
        expect(F(t * (1 - 1e-12)), `β=${beta} a=${a} b=${b} h̄=${hb} q=${q}`).toBeLessThan(0);
        expect(F(t * (1 + 1e-12)), `β=${beta} a=${a} b=${b} h̄=${hb} q=${q}`).toBeGreaterThan(0);
      }
    }
  });

  it('at β = 2 with the quadratic bound it equals "add λp h̄^{p−1} to the MU denominator"', () => {
    const r = registry.create('regularizer', { id: 'lp', params: { p: 0.5, lambda: 0.8 } });
    const out = new Float64Array(2);
    r.majorizeQuadratic!(0.4, out);
    const a = 3,
      b = 2,
      hb = 0.4;
    expect(penalizedMMStep(2, a, b, hb, out[0], out[1])).toBeCloseTo((hb * b) / (a + 0.8 * 0.5 * hb ** -0.5), 14);
  });
});
