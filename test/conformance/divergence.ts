import fc from 'fast-check';
import { expect } from 'vitest';
import { NmflabError, type AnyPlugin, type Divergence, type Registry } from '@nmflab/core';
import type { KindChecks } from './index.js';

/**
 * Properties every divergence must satisfy (run on each registered divergence with default params,
 * and reusable by a plugin's own tests on other params through `divergenceProperties`):
 * d ≥ 0 on positive pairs with d = 0 only at x = y; ∂d/∂y matches central finite differences;
 * where weight is declared (right-argument Bregman divergences) ∂²d/∂y² at y = x equals weight(x) = φ″(x),
 * and a divergence without one declares no MM exponent; the declared
 * scaling law d(λx|λy) = λ^s d(x|y); value = Σ M⊙point; finite values at x = 0 when data zeros are
 * allowed, and an NmflabError (not NaN) when they are not.
 */

const SEED = 20240611;
const RUNS = 100;

/** Log-uniform positive numbers in [1e-3, 1e3]. */
const positive = fc.double({ min: -3, max: 3, noNaN: true }).map((e) => 10 ** e);
/** Pairs (x, y) of positive numbers with x/y away from 1 (relative gap ≥ 1e-3). */
const distinctPair = fc
  .tuple(positive, fc.double({ min: -2, max: 2, noNaN: true }))
  .filter(([, e]) => Math.abs(e) > 1e-3)
  .map(([y, e]) => [y * 10 ** e, y] as const);

function relClose(a: number, b: number, rtol: number, label: string): void {
  const err = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE);
  expect(err, `${label}: ${a} vs ${b}`).toBeLessThanOrEqual(rtol);
}

export function divergenceProperties(make: () => Divergence): { name: string; run: () => void }[] {
  const opts = { seed: SEED, numRuns: RUNS };
  return [
    {
      name: 'd ≥ 0 and finite on random positive pairs, d(x|x) = 0, d(x|y) > 0 for x ≠ y',
      run: () => {
        const d = make();
        fc.assert(
          fc.property(distinctPair, ([x, y]) => {
            const v = d.point(x, y);
            expect(Number.isFinite(v), `d(${x}|${y}) = ${v}`).toBe(true);
            expect(v, `d(${x}|${y})`).toBeGreaterThan(0);
            const same = d.point(x, x);
            expect(Math.abs(same), `d(${x}|${x})`).toBeLessThanOrEqual(1e-12 * Math.max(1e-300, d.point(x, 2 * x)));
          }),
          opts,
        );
      },
    },
    {
      name: 'derivative ∂d/∂y matches central finite differences (relative 1e-6 beyond their rounding)',
      run: () => {
        const d = make();
        fc.assert(
          fc.property(distinctPair, ([x, y]) => {
            const h = 1e-5 * y;
            const up = d.point(x, y + h),
              dn = d.point(x, y - h);
            const fd = (up - dn) / (2 * h);
            const D = d.derivative(x, y);
            // relative 1e-6, plus the rounding error of the difference quotient itself (d is only
            // known to a few ulps, so |fd − D| cannot be smaller than ~ε·|d|/h).
            const tol = 1e-6 * Math.abs(D) + (8 * Number.EPSILON * Math.max(Math.abs(up), Math.abs(dn))) / h;
            expect(Math.abs(fd - D), `∂d(${x}|${y})/∂y: ${D} vs finite difference ${fd}`).toBeLessThanOrEqual(tol);
          }),
          opts,
        );
      },
    },
    {
      name: 'weight(x) = φ″(x) equals ∂²d(x|y)/∂y² at y = x where declared; without one, no MM exponent',
      run: () => {
        const d = make();
        if (d.dual) expect(d.weight, 'a dual divergence has no MU weight').toBeUndefined();
        if (typeof d.weight !== 'function') {
          // Not a right-argument Bregman divergence (dual, or e.g. Hellinger): the MU theory does
          // not apply, so it cannot claim the MM exponent that theory gives (solvers refuse it).
          expect(d.mmExponent, 'a divergence without weight declares no MM exponent').toBeUndefined();
          return;
        }
        fc.assert(
          fc.property(positive, (x) => {
            const h = 1e-4 * x;
            const fd2 = (d.point(x, x + h) - 2 * d.point(x, x) + d.point(x, x - h)) / (h * h);
            relClose(d.weight!(x), fd2, 1e-5, `φ″(${x})`);
          }),
          opts,
        );
      },
    },
    {
      name: 'scaling law d(λx|λy) = λ^s d(x|y) where `scaling` is declared',
      run: () => {
        const d = make();
        if (d.scaling === undefined) return;
        const s = d.scaling;
        fc.assert(
          fc.property(distinctPair, fc.double({ min: -2, max: 2, noNaN: true }), ([x, y], e) => {
            const lam = 10 ** e;
            relClose(d.point(lam * x, lam * y), lam ** s * d.point(x, y), 1e-10, `scaling λ=${lam}`);
          }),
          opts,
        );
      },
    },
    {
      name: 'value(V, Λ, M) equals Σ M⊙point and value without a mask equals Σ point',
      run: () => {
        const d = make();
        fc.assert(
          fc.property(fc.array(distinctPair, { minLength: 1, maxLength: 20 }), (pairs) => {
            const V = Float64Array.from(pairs, (p) => p[0]);
            const L = Float64Array.from(pairs, (p) => p[1]);
            const M = Float64Array.from(pairs, (_p, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : 0.5));
            let s = 0,
              sm = 0;
            pairs.forEach(([x, y], i) => {
              s += d.point(x, y);
              sm += M[i] * d.point(x, y);
            });
            relClose(d.value(V, L), s, 1e-12, 'Σ point');
            if (sm > 0) relClose(d.value(V, L, M), sm, 1e-12, 'Σ M⊙point');
          }),
          { ...opts, numRuns: 30 },
        );
      },
    },
    {
      name: 'zero data: finite values when allowed, an NmflabError (not NaN) when not',
      run: () => {
        const d = make();
        const V = Float64Array.from([1, 0, 2]);
        const L = Float64Array.from([0.5, 0.7, 2.5]);
        if (!d.needsPositiveData) {
          for (const y of [1e-3, 0.5, 1, 7]) {
            const v = d.point(0, y);
            expect(Number.isFinite(v) && v >= 0, `d(0|${y}) = ${v}`).toBe(true);
          }
          expect(Number.isFinite(d.value(V, L))).toBe(true);
        } else {
          expect(() => d.point(0, 1)).toThrow(NmflabError);
          expect(() => d.value(V, L)).toThrow(NmflabError);
          // A masked zero does not count.
          expect(Number.isFinite(d.value(V, L, Float64Array.from([1, 0, 1])))).toBe(true);
        }
      },
    },
    {
      name: 'declared MM exponent lies in (0, 1] and dual divergences declare none',
      run: () => {
        const d = make();
        if (d.dual) expect(d.mmExponent).toBeUndefined();
        if (d.mmExponent !== undefined) {
          expect(d.mmExponent).toBeGreaterThan(0);
          expect(d.mmExponent).toBeLessThanOrEqual(1);
        }
      },
    },
  ];
}

export const divergenceChecks: KindChecks = (plugin: AnyPlugin, registry: Registry) => {
  const required = Object.entries(plugin.meta.params).some(([, s]) => s.required);
  if (required) return []; // cannot be created from defaults; its own tests must call divergenceProperties
  return divergenceProperties(() => registry.create('divergence', { id: plugin.meta.id, params: {} }));
};
