import { describe, expect, it } from 'vitest';
import { Matrix, Rng, matmul, maxRelDiff } from '@nmflab/core';
import { Matrix as MlMatrix, SingularValueDecomposition } from 'ml-matrix';
import plugin from '../../src/initializers/nndsvd.js';
import { leadingSingularTriplets } from '../../src/nndsvd.js';
import { data, leadingTriplet, nonNegative, run } from '../support/initializers.js';

const init = plugin.create({}, {} as never);

describe('initializer nndsvd', () => {
  it('the first pair is sqrt(σ₁)|u₁|, sqrt(σ₁)|v₁| (checked against power iteration)', () => {
    const V = data(12, 9);
    const { W, H } = run(init, V, 4);
    const { s, u, v } = leadingTriplet(V);
    expect(
      maxRelDiff(
        W.col(0),
        u.map((x) => Math.sqrt(s) * Math.abs(x)),
      ),
    ).toBeLessThan(1e-9);
    expect(
      maxRelDiff(
        H.row(0),
        v.map((x) => Math.sqrt(s) * Math.abs(x)),
      ),
    ).toBeLessThan(1e-9);
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

describe('nndsvd on the Gram eigendecomposition', () => {
  /** V = U diag(σ) Vᵀ + small noise, with a clear gap after the K-th singular value. */
  function gapped(F: number, N: number, K: number, seed: number): Matrix {
    const rng = new Rng(seed);
    const A = new Matrix(F, K + 2),
      B = new Matrix(K + 2, N);
    rng.fillUniform(A.data, 0, 1);
    rng.fillUniform(B.data, 0, 1);
    // Columns K, K+1 weak: σ_{K+1} ≪ σ_K.
    for (let f = 0; f < F; f++) {
      A.data[f * (K + 2) + K] *= 1e-3;
      A.data[f * (K + 2) + K + 1] *= 1e-3;
    }
    for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) A.data[f * (K + 2) + k] *= 1 + 3 * k;
    return matmul(A, B);
  }
  const fullNndsvd = (V: Matrix, K: number) => {
    // The full-SVD oracle (ml-matrix Golub–Kahan), with the same NNDSVD rules.
    const svd = new SingularValueDecomposition(new MlMatrix(V.toRows()), { autoTranspose: true });
    return { s: svd.diagonal, U: svd.leftSingularVectors, Vt: svd.rightSingularVectors, K };
  };

  for (const [F, N] of [
    [20, 45],
    [45, 20],
  ] as const) {
    it(`agrees with the full SVD on a matrix with a spectral gap (${F}×${N})`, () => {
      const K = 4;
      const V = gapped(F, N, K, F);
      const t = leadingSingularTriplets(V, K);
      const o = fullNndsvd(V, K);
      for (let j = 0; j < K; j++) {
        expect(Math.abs(t.sigma[j] - o.s[j]) / o.s[0]).toBeLessThan(1e-12);
        // Singular vectors up to sign.
        const x = t.X.col(j),
          y = t.Y.col(j);
        const ox = Float64Array.from({ length: F }, (_, f) => o.U.get(f, j));
        const oy = Float64Array.from({ length: N }, (_, n) => o.Vt.get(n, j));
        const sign = Math.sign(x.reduce((a, v, i) => a + v * ox[i], 0));
        expect(Math.max(...x.map((v, i) => Math.abs(v - sign * ox[i])))).toBeLessThan(1e-9);
        expect(Math.max(...y.map((v, i) => Math.abs(v - sign * oy[i])))).toBeLessThan(1e-9);
      }
      const { W, H } = run(init, V, K);
      // NNDSVD from the oracle triplets.
      const Wo = new Matrix(F, K),
        Ho = new Matrix(K, N);
      for (let j = 0; j < K; j++) {
        const x = Float64Array.from({ length: F }, (_, f) => o.U.get(f, j));
        const y = Float64Array.from({ length: N }, (_, n) => o.Vt.get(n, j));
        const pp = (a: Float64Array, s: number) => Math.sqrt(a.reduce((t2, v) => t2 + (s * v > 0 ? v * v : 0), 0));
        const [xp, xn, yp, yn] = [pp(x, 1), pp(x, -1), pp(y, 1), pp(y, -1)];
        const pos = j === 0 ? true : xp * yp > xn * yn;
        const sgn = j === 0 ? Math.sign(x.reduce((a, v) => a + v, 0)) || 1 : pos ? 1 : -1;
        const nx = j === 0 ? 1 : pos ? xp : xn,
          ny = j === 0 ? 1 : pos ? yp : yn;
        const r = j === 0 ? Math.sqrt(o.s[0]) : Math.sqrt(o.s[j] * (pos ? xp * yp : xn * yn));
        for (let f = 0; f < F; f++)
          Wo.data[f * K + j] = j === 0 ? r * Math.abs(x[f]) : (r * Math.max(sgn * x[f], 0)) / nx;
        for (let n = 0; n < N; n++)
          Ho.data[j * N + n] = j === 0 ? r * Math.abs(y[n]) : (r * Math.max(sgn * y[n], 0)) / ny;
      }
      for (const X of [Wo, Ho]) for (let i = 0; i < X.data.length; i++) if (X.data[i] < 1e-6) X.data[i] = 0;
      expect(Math.max(...W.data.map((v, i) => Math.abs(v - Wo.data[i])))).toBeLessThan(1e-8);
      expect(Math.max(...H.data.map((v, i) => Math.abs(v - Ho.data[i])))).toBeLessThan(1e-8);
    });
  }

  it('gives the same triplets whatever the chunk size (ragged last chunk)', () => {
    for (const [F, N] of [
      [7, 30],
      [30, 7],
    ] as const) {
      const V = data(F, N, 4);
      const a = leadingSingularTriplets(V, 3);
      const b = leadingSingularTriplets(V, 3, undefined, 7 * 4);
      expect(maxRelDiff(a.sigma, b.sigma)).toBeLessThan(1e-12);
      expect(Math.max(...a.Y.data.map((v, i) => Math.abs(Math.abs(v) - Math.abs(b.Y.data[i]))))).toBeLessThan(1e-9);
    }
  });

  it('is safe on data around 1e-307: same vectors, σ scaled, and it returns', () => {
    const V = data(12, 9);
    const tiny = new Matrix(
      12,
      9,
      V.data.map((v) => v * 1e-307),
    );
    const a = leadingSingularTriplets(V, 3);
    const b = leadingSingularTriplets(tiny, 3);
    for (let j = 0; j < 3; j++) expect(Math.abs(b.sigma[j] / 1e-307 - a.sigma[j]) / a.sigma[0]).toBeLessThan(1e-10);
    expect(Math.max(...a.X.data.map((v, i) => Math.abs(v - b.X.data[i])))).toBeLessThan(1e-9);
    const r = run(init, tiny, 3);
    expect(nonNegative(r.W) && nonNegative(r.H)).toBe(true);
  });

  it('honours the interrupt flag between chunks (exit code 130) and reports progress up to 1', () => {
    const V = data(6, 40);
    const seen: number[] = [];
    leadingSingularTriplets(V, 2, { progress: (f) => seen.push(f) }, 6 * 5);
    expect(seen.length).toBe(16);
    expect(seen.every((f, i) => i === 0 || f > seen[i - 1])).toBe(true);
    expect(seen.at(-1)).toBe(1);
    let calls = 0;
    const signal = {
      get aborted() {
        return ++calls > 3;
      },
    };
    expect(() => leadingSingularTriplets(V, 2, { signal }, 6 * 5)).toThrow(
      expect.objectContaining({ exitCode: 130, message: expect.stringMatching(/interrupted/) }),
    );
  });
});
