import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { makeBetaDivergence } from '../src/beta-divergence.js';
import { betaDerivative, betaPositive } from '../src/beta-math.js';

/**
 * The β-divergence where x/y or y^β leave the floating-point range (scikit-learn's
 * test_nmf_underflow and its KL fix): a subnormal data entry against a model value of ~10 must
 * contribute what the limit x → 0 gives, not −∞ (KL) or +∞ (IS).
 */
const python = '/usr/bin/python3';

/** Σ_ij d_β(X|WH) with a dense product, through the plugin's value(). */
function divergence(X: number[][], W: number[][], H: number[][], beta: number): number {
  const F = X.length,
    N = X[0].length,
    K = H.length;
  const V = new Float64Array(F * N),
    L = new Float64Array(F * N);
  for (let i = 0; i < F; i++) {
    for (let j = 0; j < N; j++) {
      V[i * N + j] = X[i][j];
      let s = 0;
      for (let k = 0; k < K; k++) s += W[i][k] * H[k][j];
      L[i * N + j] = s;
    }
  }
  return makeBetaDivergence({ id: 'beta', beta }).value(V, L);
}

describe('β-divergence under- and overflow', () => {
  it('a subnormal entry gives the x → 0 limit (KL), and the entry stays finite for IS and β ∉ {0, 1}', () => {
    const y = 10;
    for (const x of [1e-323, 5e-324, 1e-310, 1e-300]) {
      const kl = betaPositive(x, y, 1);
      expect(Number.isFinite(kl)).toBe(true);
      expect(kl).toBeCloseTo(y, 12);
      const is = betaPositive(x, y, 0);
      // d_0(x|y) = x/y − log(x/y) − 1, here ≈ −log(x) + log(y) − 1: large but finite.
      expect(is).toBeCloseTo(-Math.log(x) + Math.log(y) - 1, 9);
      for (const beta of [0.5, 1.5, 3, -0.01]) {
        const v = betaPositive(x, y, beta);
        expect(Number.isFinite(v) && v >= 0).toBe(true);
      }
      // β = −1: d ≈ x^{−1}/2 ≥ 5e299 at these x; past the largest double it is +∞, as it should be.
      const v = betaPositive(x, y, -1);
      expect(v === Infinity || Math.abs(v - 1 / (2 * x)) / v < 1e-6).toBe(true);
    }
  });

  it('matches the direct formula where that is exact, at both sides of the cut-over', () => {
    for (const beta of [0.3, 0.9, 1.2, 2.5, -0.5]) {
      const x = 1e-150,
        y = 1e150; // r = 1e-300: just inside; 1e-301 just outside
      const inside = betaPositive(x, y, beta);
      const outside = betaPositive(x / 10, y, beta);
      const direct = (xx: number) =>
        (xx ** beta + (beta - 1) * y ** beta - beta * xx * y ** (beta - 1)) / (beta * (beta - 1));
      for (const [got, want] of [
        [inside, direct(x)],
        [outside, direct(x / 10)],
      ] as const) {
        if (Number.isFinite(want) && want > 0) expect(Math.abs(got - want) / want).toBeLessThan(1e-10);
      }
    }
  });

  it('x/y overflowing gives the true value where it fits a double (KL) and +∞ only where it does not', () => {
    const x = 1e300,
      y = 1e-10;
    expect(betaPositive(x, y, 1)).toBeCloseTo(x * (Math.log(x) - Math.log(y)) - x + y, -290);
    expect(Number.isFinite(betaPositive(x, y, 1))).toBe(true);
    expect(betaPositive(x, y, 0)).toBe(Infinity); // 1e310: no double holds it
  });

  it('the derivative y^{β−2}(y − x) stays finite where y^{β−2} alone overflows', () => {
    const x = 1e-200,
      y = 2e-200;
    expect(betaDerivative(x, y, 0)).toBeCloseTo((y - x) / y / y, -190);
    expect(Number.isFinite(betaDerivative(x, y, 0))).toBe(true);
    const g = betaDerivative(x, y, -1.5); // y^{-3.5}·(y − x) = 1e-200·(2e-200)^{-3.5}: overflows for real
    expect(g).toBe(Infinity);
    const h = betaDerivative(1e-300, 3e-300, 0.5); // (3e-300)^{-1.5}·2e-300 ≈ 1.3e150: finite
    expect(h / Math.exp(-1.5 * Math.log(3e-300) + Math.log(2e-300))).toBeCloseTo(1, 10);
  });

  it.skipIf(!existsSync(python))(
    "scikit-learn's test_nmf_underflow: the same value as sklearn with and without the subnormal entry",
    () => {
      const script = [
        'import json, numpy as np',
        'from sklearn.decomposition import _nmf as nmf',
        'rng = np.random.RandomState(0)',
        'X = np.abs(rng.randn(10, 2)) * 10',
        'W = np.abs(rng.randn(10, 2)) * 10',
        'H = np.abs(rng.randn(2, 2))',
        'X[0, 0] = 0',
        'ref = nmf._beta_divergence(X, W, H, beta=1.0)',
        'X[0, 0] = 1e-323',
        'res = nmf._beta_divergence(X, W, H, beta=1.0)',
        'print(json.dumps({"X": X.tolist(), "W": W.tolist(), "H": H.tolist(), "ref": ref, "res": res}))',
      ].join('\n');
      const r = spawnSync(python, ['-c', script], { encoding: 'utf8' });
      if (r.status !== 0) {
        console.warn(`skipped: scikit-learn not importable by ${python} (${r.stderr.trim().split('\n').pop()})`);
        return;
      }
      const d = JSON.parse(r.stdout) as { X: number[][]; W: number[][]; H: number[][]; ref: number; res: number };
      expect(d.X[0][0]).toBe(1e-323);
      const ours = divergence(d.X, d.W, d.H, 1);
      expect(Math.abs(ours - d.res) / d.res).toBeLessThan(1e-12);
      const X0 = d.X.map((row) => [...row]);
      X0[0][0] = 0;
      expect(Math.abs(divergence(X0, d.W, d.H, 1) - d.ref) / d.ref).toBeLessThan(1e-12);
      expect(ours).toBeGreaterThan(316.59);
      expect(ours).toBeLessThan(316.6);
    },
  );
});
