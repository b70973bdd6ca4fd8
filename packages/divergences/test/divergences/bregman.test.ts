import { describe, expect, it } from 'vitest';
import { NmflabError, type Divergence } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';
import { compileGenerator } from '@nmflab/divergences';
import { divergenceProperties } from '../../../../test/conformance/divergence.js';

const registry = await buildRegistry();
const where = { path: 'model.divergence' };
const make = (params: Record<string, unknown>): Divergence =>
  registry.create('divergence', { id: 'bregman', params }, where);

/** Points including x ≈ y (quadrature branch), x ≫ y and x ≪ y. */
const POINTS: [number, number][] = [
  [1, 1 + 1e-9],
  [1 + 1e-6, 1],
  [2.5, 2.4],
  [0.3, 0.33],
  [0.3, 0.34],
  [7, 3],
  [1000, 0.01],
  [0.01, 1000],
  [123.4, 0.5],
];

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE);
}

describe('bregman divergence', () => {
  it('reproduces euclidean, kl and is from y²/2, y log y − y and −log y (values, derivatives, weights to 1e-12)', () => {
    const cases: [string, string][] = [
      ['y^2/2', 'euclidean'],
      ['y*log(y) - y', 'kl'],
      ['-log(y)', 'is'],
      ['x*log(x) - x', 'kl'],
    ];
    for (const [phi, id] of cases) {
      const b = make({ phi }),
        ref = registry.create('divergence', id);
      for (const [x, y] of POINTS) {
        expect(rel(b.point(x, y), ref.point(x, y)), `${phi} d(${x}|${y})`).toBeLessThanOrEqual(1e-12);
        expect(rel(b.derivative(x, y), ref.derivative(x, y)), `${phi} ∂d(${x}|${y})`).toBeLessThanOrEqual(1e-12);
        expect(rel(b.weight!(y), ref.weight!(y)), `${phi} φ″(${y})`).toBeLessThanOrEqual(1e-12);
      }
      expect(b.scaling).toBe(ref.scaling);
      expect(b.needsPositiveData).toBe(ref.needsPositiveData);
      const V = Float64Array.from([0.5, 2, 3]),
        L = Float64Array.from([1, 2.1, 0.2]);
      expect(rel(b.value(V, L), ref.value(V, L))).toBeLessThanOrEqual(1e-12);
    }
    // the zero-data limit φ(0⁺) of y log y − y is 0: d(0|y) = y as for kl
    expect(rel(make({ phi: 'y*log(y) - y' }).point(0, 2.5), 2.5)).toBeLessThan(1e-12);
  });

  it('compiles φ, φ′ and φ″ once into plain JavaScript (no mathjs per evaluation)', () => {
    const g = compileGenerator('y*log(y) - y + exp(-y)/3 + sqrt(y)^3', where);
    expect(g.native).toBe(true);
    expect(g.d2(2)).toBeCloseTo(1 / 2 + Math.exp(-2) / 3 + 0.75 / Math.sqrt(2), 12);
    expect(g.d1.toString()).not.toMatch(/evaluate/);
  });

  it('reports unparsable, multi-variable and non-convex generators with the params.phi path', () => {
    const cases: [string, RegExp][] = [
      ['y*log(y', /model\.divergence\.params\.phi: cannot parse the generator φ/],
      ['y*log(z)', /params\.phi: the generator φ must be an expression of one variable.*variables y, z/],
      ['x*y', /params\.phi: .*one variable/],
      ['3', /params\.phi: .*no variable/],
      ['-y^2', /params\.phi: the generator φ is not strictly convex/],
      ['log(y)', /params\.phi: the generator φ is not strictly convex/],
      ['sin(y)', /params\.phi: the generator φ is not strictly convex/],
    ];
    for (const [phi, re] of cases) {
      let err: unknown;
      try {
        make({ phi });
      } catch (e) {
        err = e;
      }
      expect(err, phi).toBeInstanceOf(NmflabError);
      expect((err as NmflabError).format(), phi).toMatch(re);
    }
  });

  it('dual: d_φ(Λ|V), derivative φ′(y) − φ′(x), no weight; dual KL and dual IS equal beta dual', () => {
    for (const [phi, beta] of [
      ['y*log(y) - y', 1],
      ['-log(y)', 0],
    ] as const) {
      const d = make({ phi, dual: true }),
        ref = registry.create('divergence', { id: 'beta', params: { beta, dual: true } });
      for (const [x, y] of POINTS) {
        expect(rel(d.point(x, y), ref.point(x, y))).toBeLessThanOrEqual(1e-12);
        expect(rel(d.derivative(x, y), ref.derivative(x, y))).toBeLessThanOrEqual(1e-12);
      }
      expect(d.weight).toBeUndefined();
      expect(d.needsPositiveData).toBe(true);
    }
  });

  for (const phi of ['y^3/6 + y^2', 'y^1.5 + 1/y', '-log(y)', 'y*log(y) - y']) {
    describe(`conformance properties for φ = ${phi}`, () => {
      for (const c of divergenceProperties(() => make({ phi }))) it(c.name, c.run);
    });
  }
  describe('conformance properties of the dual for φ = y^2/2 + y^3', () => {
    for (const c of divergenceProperties(() => make({ phi: 'y^2/2 + y^3', dual: true }))) it(c.name, c.run);
  });
});
