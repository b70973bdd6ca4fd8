import fc from 'fast-check';
import { expect } from 'vitest';
import type { AnyPlugin, Registry, Regularizer } from '@nmflab/core';
import type { KindChecks } from './index.js';

/**
 * Properties every regularizer must satisfy (default params; reusable via `regularizerProperties`):
 * r ≥ 0 and value = Σ point; r′ matches central finite differences on x > 0; each majorizer
 * q x² + l x + c (c making it tight at x̄) lies above r on x ≥ 0, touches it at x̄ and has its slope
 * there; needsNormalization is declared; target is W or H.
 */
const SEED = 20240612;
const positive = fc.double({ min: -3, max: 2, noNaN: true }).map((e) => 10 ** e);

export function regularizerProperties(make: () => Regularizer): { name: string; run: () => void }[] {
  const opts = { seed: SEED, numRuns: 100 };
  return [
    {
      name: 'declares target, λ ≥ 0, p and needsNormalization; r ≥ 0 and value = Σ point',
      run: () => {
        const r = make();
        expect(['W', 'H']).toContain(r.target);
        expect(r.lambda).toBeGreaterThanOrEqual(0);
        expect(typeof r.needsNormalization).toBe('boolean');
        fc.assert(
          fc.property(fc.array(positive, { minLength: 1, maxLength: 12 }), (xs) => {
            const X = Float64Array.from(xs);
            let s = 0;
            for (const x of xs) {
              expect(r.point(x)).toBeGreaterThanOrEqual(0);
              s += r.point(x);
            }
            expect(Math.abs(r.value(X) - s)).toBeLessThanOrEqual(1e-12 * Math.max(1e-300, s));
          }),
          opts,
        );
        expect(r.point(0)).toBe(0);
      },
    },
    {
      name: 'derivative matches central finite differences on x > 0 (relative 1e-6)',
      run: () => {
        const r = make();
        fc.assert(
          fc.property(positive, (x) => {
            const h = 1e-5 * x;
            const fd = (r.point(x + h) - r.point(x - h)) / (2 * h);
            const D = r.derivative(x);
            expect(Math.abs(fd - D), `r′(${x}) = ${D}, fd ${fd}`).toBeLessThanOrEqual(
              1e-6 * Math.abs(D) + (8 * Number.EPSILON * r.point(x + h)) / h,
            );
          }),
          opts,
        );
      },
    },
    {
      name: 'majorizers lie above r on x ≥ 0, touch it at x̄ with the same slope',
      run: () => {
        const r = make();
        const out = new Float64Array(2);
        const bounds: [string, (xb: number, o: Float64Array) => void][] = [['majorize', (xb, o) => r.majorize(xb, o)]];
        if (r.majorizeQuadratic) bounds.push(['majorizeQuadratic', (xb, o) => r.majorizeQuadratic!(xb, o)]);
        for (const [name, maj] of bounds) {
          fc.assert(
            fc.property(positive, fc.double({ min: 0, max: 50, noNaN: true }), (xbar, x) => {
              maj(xbar, out);
              const q = out[0],
                l = out[1];
              expect(q, `${name}: q ≥ 0`).toBeGreaterThanOrEqual(0);
              const c = r.point(xbar) - q * xbar * xbar - l * xbar;
              const scale = Math.max(r.point(xbar), r.point(x), 1e-300);
              expect(q * x * x + l * x + c - r.point(x), `${name} at x̄=${xbar}, x=${x}`).toBeGreaterThanOrEqual(
                -1e-12 * scale * (1 + (x / xbar) ** 2),
              );
              const slope = 2 * q * xbar + l;
              expect(Math.abs(slope - r.derivative(xbar)), `${name} slope at x̄=${xbar}`).toBeLessThanOrEqual(
                1e-12 * Math.abs(r.derivative(xbar)) + 1e-300,
              );
            }),
            opts,
          );
        }
      },
    },
  ];
}

export const regularizerChecks: KindChecks = (plugin: AnyPlugin, registry: Registry) => {
  if (Object.values(plugin.meta.params).some((s) => s.required)) return [];
  return regularizerProperties(() => registry.create('regularizer', { id: plugin.meta.id, params: {} }));
};
