import { describe, expect, it } from 'vitest';
import { NmflabError, type Divergence } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';
import { betaSeries, logGamma, mmExponent } from '@nmflab/divergences';
import { divergenceProperties } from '../../../../test/conformance/divergence.js';
import fixtures from '../fixtures/beta-values.json' with { type: 'json' };

/** log Γ(z) for z a positive integer or half-integer, from Γ(z+1) = zΓ(z), Γ(1) = 1, Γ(½) = √π. */
function logGammaExact(z: number): number {
  let s = Number.isInteger(z) ? 0 : 0.5 * Math.log(Math.PI);
  for (let t = Number.isInteger(z) ? 1 : 0.5; t < z; t++) s += Math.log(t);
  return s;
}

const registry = await buildRegistry();
const make = (params: Record<string, unknown>): Divergence =>
  registry.create('divergence', { id: 'beta', params }, { path: 'model.divergence' });

const BETAS = [-1, 0, 0.5, 1, 1.5, 2, 3];
/** Points including x ≈ y (series branch, both sides of the cutoff), x ≫ y and x ≪ y. */
const POINTS: [number, number][] = [
  [1, 1 + 1e-9],
  [1 + 1e-6, 1],
  [2.5, 2.4],
  [0.3, 0.33], // |log(x/y)| = 0.0953: series
  [0.3, 0.34], // |log(x/y)| = 0.125: closed form
  [1.5e-8, 1.5e-8 * (1 + 1e-4)],
  [7, 3],
  [1000, 0.01],
  [0.01, 1000],
  [123.4, 0.5],
];

describe('beta divergence', () => {
  it('agrees with 80-digit BigNumber values (test/fixtures/beta-values.json) to 1e-12 relative for β ∈ {−1, 0, ½, 1, 3/2, 2, 3}', () => {
    const betas = new Set(fixtures.cases.map((c) => c.beta));
    expect([...betas].sort((a, b) => a - b)).toEqual(BETAS);
    for (const { beta, x, y, d: ref } of fixtures.cases) {
      const got = make({ beta }).point(x, y);
      expect(Math.abs(got - ref) / ref, `β=${beta} d(${x}|${y}) = ${got}, fixture ${ref}`).toBeLessThanOrEqual(1e-12);
    }
  });

  it('has no cancellation near x = y: d(x|x(1+t)) ≈ ½x^β t² and halving t divides d by 4 (1e-6) down to t = 1e-7', () => {
    for (const beta of BETAS) {
      const d = make({ beta });
      for (const x of [0.37, 1, 42]) {
        let prev = d.point(x, x * (1 + 2e-3));
        for (let t = 1e-3; t > 1e-7; t /= 2) {
          const cur = d.point(x, x * (1 + t));
          const tEff = (x * (1 + t) - x) / x; // the step actually represented
          const tPrev = (x * (1 + 2 * t) - x) / x;
          const ratio = (prev / cur) * (tEff / tPrev) ** 2;
          expect(Math.abs(ratio - 1), `β=${beta} x=${x} t=${t}`).toBeLessThan(2 * (Math.abs(beta - 2) + 1) * t + 1e-6);
          expect(Math.abs(cur / (0.5 * x ** beta * tEff ** 2) - 1)).toBeLessThan(3 * t * (1 + Math.abs(beta)));
          prev = d.point(x, x * (1 + t)); // next iteration compares t/2 with t
        }
      }
    }
  });

  it('the series Σ c_n(β) Lⁿ/n! equals the closed form g_β(L) where both are accurate', () => {
    for (const beta of [-2, -0.3, 0.7, 2.5, 4]) {
      for (const L of [0.3, -0.4, 1]) {
        const closed = (Math.exp(beta * L) - beta * Math.exp(L) + beta - 1) / (beta * (beta - 1));
        expect(Math.abs(betaSeries(L, beta) - closed) / closed).toBeLessThan(1e-13);
      }
    }
  });

  it('is continuous in β: symmetric averages around 1 and 0 (δ = 1e-5) match KL and IS within 1e-6', () => {
    const kl = make({ beta: 1 }),
      is = make({ beta: 0 });
    const dl = 1e-5;
    const up1 = make({ beta: 1 + dl }),
      dn1 = make({ beta: 1 - dl });
    const up0 = make({ beta: dl }),
      dn0 = make({ beta: -dl });
    for (const [x, y] of POINTS) {
      const k = kl.point(x, y),
        i = is.point(x, y);
      expect(Math.abs(0.5 * (up1.point(x, y) + dn1.point(x, y)) - k) / k, `KL at (${x}, ${y})`).toBeLessThan(1e-6);
      expect(Math.abs(0.5 * (up0.point(x, y) + dn0.point(x, y)) - i) / i, `IS at (${x}, ${y})`).toBeLessThan(1e-6);
    }
  });

  it('β = 2, 1, 0 coincide with euclidean, kl and is', () => {
    const pairs: [number, Divergence][] = [
      [2, registry.create('divergence', 'euclidean')],
      [1, registry.create('divergence', 'kl')],
      [0, registry.create('divergence', 'is')],
    ];
    for (const [beta, ref] of pairs) {
      const d = make({ beta });
      for (const [x, y] of POINTS) {
        expect(d.point(x, y)).toBe(ref.point(x, y));
        expect(d.derivative(x, y)).toBe(ref.derivative(x, y));
        expect(d.weight!(y)).toBe(ref.weight!(y));
      }
      expect(d.mmExponent).toBe(ref.mmExponent);
    }
  });

  it('declares β, γ(β), scaling β, the Tweedie noise model and positivity for β ≤ 0', () => {
    expect(mmExponent(0)).toBe(0.5);
    expect(mmExponent(3)).toBe(0.5);
    expect(mmExponent(-1)).toBeCloseTo(1 / 3, 15);
    expect(mmExponent(1.5)).toBe(1);
    for (const beta of BETAS) {
      const d = make({ beta });
      expect(d.beta).toBe(beta);
      expect(d.scaling).toBe(beta);
      expect(d.mmExponent).toBe(mmExponent(beta));
      expect(d.needsPositiveData).toBe(beta <= 0);
    }
    expect(make({ beta: 0.5 }).noiseModel).toBe('tweedie(p=1.5)');
    expect(make({ beta: 2 }).noiseModel).toBe('gaussian');
  });

  it('zero data: d_β(0|y) = y^β/β for β > 0; an error naming the params path for β ≤ 0 unless eps > 0', () => {
    expect(make({ beta: 0.5 }).point(0, 4)).toBeCloseTo(4, 14);
    expect(make({ beta: 3 }).point(0, 2)).toBeCloseTo(8 / 3, 14);
    expect(make({ beta: 1 }).point(0, 2.5)).toBe(2.5);
    const V = Float64Array.from([1, 0]),
      L = Float64Array.from([1, 1]);
    let err: unknown;
    try {
      make({ beta: -1 }).value(V, L);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NmflabError);
    expect((err as NmflabError).format()).toMatch(/model\.divergence\.params.*V\[1\] = 0/);
    expect((err as NmflabError).format()).toMatch(/eps > 0/);
    const eps = 1e-3;
    const withEps = make({ beta: -1, eps });
    expect(withEps.value(V, L)).toBeCloseTo(
      make({ beta: -1 }).point(1 + eps, 1 + eps) + make({ beta: -1 }).point(eps, 1 + eps),
      14,
    );
    expect(() => make({ beta: 2 }).value(Float64Array.from([-1]), Float64Array.from([1]))).toThrow(
      /invalid data value/,
    );
    expect(() => make({ beta: 2 }).value(Float64Array.from([1]), Float64Array.from([NaN]))).toThrow(
      /invalid model value/,
    );
  });

  it('negative log-likelihood: Gaussian, Poisson and exponential densities up to nothing; Tweedie up to Σ log a(x)', () => {
    const V = Float64Array.from([0, 1, 3, 7.5]);
    const L = Float64Array.from([0.4, 1.3, 2.2, 9]);
    let gauss = 0,
      poisson = 0;
    for (let i = 0; i < V.length; i++) {
      const x = V[i],
        y = L[i];
      gauss += 0.5 * Math.log(2 * Math.PI) + 0.5 * (x - y) ** 2;
      poisson += y - x * Math.log(y) + logGammaExact(x + 1);
    }
    expect(make({ beta: 2 }).negLogLikelihood!(V, L)).toBeCloseTo(gauss, 12);
    expect(make({ beta: 1 }).negLogLikelihood!(V, L)).toBeCloseTo(poisson, 12);
    const Vp = V.subarray(1),
      Lp = L.subarray(1);
    let expo = 0;
    for (let i = 0; i < Vp.length; i++) expo += Math.log(Lp[i]) + Vp[i] / Lp[i];
    expect(make({ beta: 0 }).negLogLikelihood!(Vp, Lp)).toBeCloseTo(expo, 12);
    const tw = make({ beta: 0.5 });
    expect(tw.negLogLikelihood!(V, L)).toBe(tw.value(V, L));
  });

  it('log Γ matches exact integer and half-integer values to 1e-14', () => {
    for (const n of [1, 2, 3, 5, 10, 14, 15, 16, 40, 170]) {
      for (const z of [n, n + 0.5]) {
        const ref = logGammaExact(z);
        expect(Math.abs(logGamma(z) - ref), `lgamma(${z})`).toBeLessThanOrEqual(1e-14 * Math.max(1, ref));
      }
    }
  });

  it('dual: d_β(Λ|V), derivative φ′(y) − φ′(x), no weight nor MM exponent', () => {
    for (const beta of [0, 1, 1.5, 3]) {
      const d = make({ beta, dual: true }),
        p = make({ beta });
      for (const [x, y] of POINTS) expect(d.point(x, y)).toBe(p.point(y, x));
      expect(d.weight).toBeUndefined();
      expect(d.mmExponent).toBeUndefined();
      expect(d.dual).toBe(true);
      expect(d.needsPositiveData).toBe(beta <= 1);
    }
    // dual KL at 0 data is +∞ for y > 0: rejected like IS's zero data.
    expect(() => make({ beta: 1, dual: true }).point(0, 1)).toThrow(NmflabError);
  });

  for (const beta of [-1, 0.5, 1.5, 3]) {
    describe(`conformance properties at β = ${beta}`, () => {
      for (const c of divergenceProperties(() => make({ beta }))) it(c.name, c.run);
    });
  }
  for (const beta of [0, 1, 2.5]) {
    describe(`conformance properties of the dual at β = ${beta}`, () => {
      for (const c of divergenceProperties(() => make({ beta, dual: true }))) it(c.name, c.run);
    });
  }
});
