import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Matrix, NmflabError, Rng, fit, matmul, matmulTN } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';
import plugin, {
  createSparseCoding,
  softThreshold,
  sparseCodingStep,
  type SparseCodingParams,
} from '../../src/solvers/sparse-coding.js';

const base: SparseCodingParams = {
  method: 'proximal',
  penalty: 'l1',
  lambda: 0.1,
  p: 0.5,
  sigma: 1,
  codes: 'ista',
  codeIterations: 1,
  nonnegative: false,
  dictionary: 'fixed',
};

function unitColumns(F: number, K: number, rng: Rng): Matrix {
  const D = new Matrix(F, K, rng.fillNormal(new Float64Array(F * K)));
  for (let k = 0; k < K; k++) {
    let n = 0;
    for (let f = 0; f < F; f++) n += D.get(f, k) ** 2;
    for (let f = 0; f < F; f++) D.set(f, k, D.get(f, k) / Math.sqrt(n));
  }
  return D;
}

/** X = D A + noise with `nnz` non-zero codes per column (signed, magnitudes in [1, 2]). */
function sparseData(
  D: Matrix,
  N: number,
  nnz: number,
  noise: number,
  rng: Rng,
  nonnegative = false,
): { X: Matrix; A: Matrix } {
  const K = D.cols;
  const A = new Matrix(K, N);
  for (let n = 0; n < N; n++) {
    const perm = rng.permutation(K);
    for (let j = 0; j < nnz; j++)
      A.set(perm[j], n, (nonnegative || rng.uniform() < 0.5 ? 1 : -1) * (1 + rng.uniform()));
  }
  const X = matmul(D, A);
  for (let i = 0; i < X.data.length; i++) X.data[i] += noise * rng.normal();
  return { X, A };
}

describe('sparse-coding solver', () => {
  it('declares its parameters', () => {
    expect(Object.keys(plugin.meta.params).sort()).toEqual([
      'codeIterations',
      'codes',
      'dictionary',
      'lambda',
      'method',
      'nonnegative',
      'p',
      'penalty',
      'sigma',
    ]);
  });

  it('soft-thresholding is the exact prox of τ|·| (optimality and a grid check), and the non-negative one of τ|·| + ι(a ≥ 0)', () => {
    const rng = new Rng(1);
    let worst = -Infinity;
    for (let i = 0; i < 200; i++) {
      const u = 4 * rng.normal(),
        tau = 2 * rng.uniform();
      for (const nn of [false, true]) {
        const a = softThreshold(u, tau, nn);
        const obj = (x: number) => 0.5 * (x - u) ** 2 + tau * Math.abs(x) + (nn && x < 0 ? Infinity : 0);
        // Optimality: u − a ∈ τ ∂|a| (plus the normal cone of a ≥ 0 at 0).
        if (a !== 0) expect(u - a).toBeCloseTo(tau * Math.sign(a), 12);
        else if (!nn) expect(Math.abs(u)).toBeLessThanOrEqual(tau);
        else expect(u).toBeLessThanOrEqual(tau);
        // No point of a fine grid around a does better.
        for (let g = -50; g <= 50; g++) worst = Math.max(worst, obj(a) - obj(a + g * 0.01));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it('one ISTA iteration is soft(a − Dᵀ(Da − x)/L, λ/L) with L = ‖DᵀD‖₂', () => {
    const rng = new Rng(2);
    const D = unitColumns(12, 8, rng);
    const { X } = sparseData(D, 5, 2, 0.05, rng);
    const A0 = new Matrix(8, 5, rng.fillNormal(new Float64Array(40)));
    const solver = createSparseCoding(base);
    const s = solver.init({ V: X, rank: 8, W0: D, H0: A0 }, new Rng(1));
    // L against the largest eigenvalue from the Rayleigh quotient of many random vectors (a lower bound).
    const DtD = matmulTN(D, D);
    let lo = 0;
    for (let t = 0; t < 200; t++) {
      const v = rng.fillNormal(new Float64Array(8));
      let num = 0,
        den = 0;
      for (let i = 0; i < 8; i++) {
        den += v[i] ** 2;
        for (let j = 0; j < 8; j++) num += v[i] * DtD.get(i, j) * v[j];
      }
      lo = Math.max(lo, num / den);
    }
    expect(s.L).toBeGreaterThanOrEqual(lo);
    expect(s.L).toBeLessThan(lo * 1.2);
    const R = matmul(D, A0);
    for (let i = 0; i < R.data.length; i++) R.data[i] -= X.data[i];
    const grad = matmulTN(D, R);
    solver.step(s);
    for (let i = 0; i < 40; i++)
      expect(s.A.data[i]).toBeCloseTo(softThreshold(A0.data[i] - grad.data[i] / s.L, 0.1 / s.L), 13);
  });

  for (const penalty of ['l1', 'lp', 'log'] as const) {
    for (const p of penalty === 'lp' ? [0.5, 1.5] : [1]) {
      for (const nonnegative of [false, true]) {
        it(`ISTA never increases the objective (${penalty}${penalty === 'lp' ? ` p=${p}` : ''}${nonnegative ? ', a ≥ 0' : ''})`, () => {
          const rng = new Rng(3);
          const D = unitColumns(16, 24, rng);
          const { X } = sparseData(D, 20, 3, 0.05, rng, nonnegative);
          const r = fit(
            createSparseCoding({ ...base, penalty, p, nonnegative, lambda: 0.2 }),
            { V: X, rank: 24, W0: D },
            new Rng(1),
            {
              stopping: { maxIterations: 150 },
              onIteration: (row) => expect(Number.isFinite(row.objective)).toBe(true),
            },
          );
          expect(r.increases).toEqual([]);
          expect(r.trajectory.at(-1)!.objective).toBeLessThan(r.trajectory[0].objective);
          if (nonnegative) expect(r.result.H.data.every((x) => x >= 0)).toBe(true);
        });
      }
    }
  }

  it('FISTA meets F(a_k) − F* ≤ 2L‖a₀ − a*‖²/(k+1)² (F*, a* from a long ISTA run), and the non-negative variant keeps a ≥ 0', () => {
    for (const [seed, nonnegative] of [
      [4, false],
      [5, true],
    ] as const) {
      const rng = new Rng(seed);
      const D = unitColumns(20, 40, rng); // wide (over-complete): ISTA is slow, FISTA's rate matters
      const { X } = sparseData(D, 6, 3, 0.02, rng, nonnegative);
      const A0 = new Matrix(40, 6);
      const ista = createSparseCoding({ ...base, nonnegative });
      const star = ista.init({ V: X, rank: 40, W0: D, H0: A0 }, new Rng(1));
      for (let k = 0; k < 8000; k++) sparseCodingStep(star);
      const Fstar = ista.objective(star).total;
      const aStar = star.A.data;
      let dist2 = 0;
      for (let i = 0; i < aStar.length; i++) dist2 += (A0.data[i] - aStar[i]) ** 2;
      const solver = createSparseCoding({ ...base, codes: 'fista', nonnegative });
      const s = solver.init({ V: X, rank: 40, W0: D, H0: A0 }, new Rng(1));
      for (let k = 1; k <= 300; k++) {
        sparseCodingStep(s);
        const Fk = solver.objective(s).total;
        expect(Fk - Fstar).toBeLessThanOrEqual((2 * s.L * dist2) / (k + 1) ** 2);
        if (nonnegative) expect(s.A.data.every((x) => x >= 0)).toBe(true);
      }
      // FISTA does reach the optimum.
      expect(solver.objective(s).total - Fstar).toBeLessThan(1e-6 * Fstar);
    }
  });

  it('a dictionary learned on data from a known sparse dictionary recovers it (matched column correlations > 0.9)', () => {
    for (const dictionary of ['mod', 'gradient'] as const)
      for (const seed of [0, 1]) {
        const rng = new Rng(7 + seed);
        const F = 20,
          K = 10,
          N = 400;
        const Dtrue = unitColumns(F, K, rng);
        const { X } = sparseData(Dtrue, N, 3, 0.01, rng);
        const r = fit(
          createSparseCoding({ ...base, codes: 'fista', codeIterations: 5, dictionary, lambda: 0.3 }),
          { V: X, rank: K },
          new Rng(3 + seed),
          { stopping: { maxIterations: 100 } },
        );
        const D = r.result.W;
        for (let k = 0; k < K; k++) expect(Math.hypot(...D.col(k))).toBeCloseTo(1, 12);
        // Greedy matching on |correlation| (columns are unit norm).
        const C = matmulTN(Dtrue, D);
        const used = new Set<number>();
        const best: number[] = [];
        const pairs: [number, number, number][] = [];
        for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) pairs.push([Math.abs(C.get(i, j)), i, j]);
        pairs.sort((a, b) => b[0] - a[0]);
        const doneTrue = new Set<number>();
        for (const [c, i, j] of pairs) {
          if (doneTrue.has(i) || used.has(j)) continue;
          doneTrue.add(i);
          used.add(j);
          best.push(c);
        }
        expect(best).toHaveLength(K);
        expect(Math.min(...best), `${dictionary}: ${best.map((b) => b.toFixed(3)).join(' ')}`).toBeGreaterThan(0.9);
      }
  });

  it('the gradient dictionary step with ISTA codes is monotone and keeps unit-norm columns', () => {
    const rng = new Rng(8);
    const Dtrue = unitColumns(12, 6, rng);
    const { X } = sparseData(Dtrue, 80, 2, 0.05, rng);
    const solver = createSparseCoding({ ...base, dictionary: 'gradient' });
    expect(solver.monotone).toBe(true);
    const r = fit(solver, { V: X, rank: 6 }, new Rng(2), { stopping: { maxIterations: 200 } });
    expect(r.increases).toEqual([]);
    for (let k = 0; k < 6; k++) expect(Math.hypot(...r.result.W.col(k))).toBeCloseTo(1, 12);
  });

  it('NNSC keeps W ≥ 0 with unit-norm columns and H ≥ 0; with W fixed its objective never increases', () => {
    const rng = new Rng(9);
    const Dtrue = new Matrix(15, 5, rng.fillUniform(new Float64Array(75)));
    const { X } = sparseData(Dtrue, 60, 2, 0, rng, true);
    const r = fit(
      createSparseCoding({ ...base, method: 'nnsc', dictionary: 'gradient', lambda: 0.05 }),
      { V: X, rank: 5 },
      new Rng(4),
      { stopping: { maxIterations: 150 } },
    );
    expect(r.result.W.data.every((x) => x >= 0)).toBe(true);
    expect(r.result.H.data.every((x) => x >= 0)).toBe(true);
    for (let k = 0; k < 5; k++) expect(Math.hypot(...r.result.W.col(k))).toBeCloseTo(1, 12);
    expect(r.trajectory.at(-1)!.objective).toBeLessThan(0.2 * r.trajectory[0].objective);
    const fixed = fit(
      createSparseCoding({ ...base, method: 'nnsc', dictionary: 'fixed', lambda: 0.05 }),
      { V: X, rank: 5, W0: r.result.W },
      new Rng(4),
      { stopping: { maxIterations: 100 } },
    );
    expect(fixed.increases).toEqual([]);
  });

  it('frozen dictionary columns and frozen codes stay bit-identical; MOD with some columns frozen and a mask are rejected', () => {
    const rng = new Rng(10);
    const D = unitColumns(12, 6, rng);
    const { X } = sparseData(D, 50, 2, 0.05, rng);
    const r = fit(
      createSparseCoding({ ...base, dictionary: 'gradient' }),
      { V: X, rank: 6, W0: D, freezeW: [0, 3] },
      new Rng(1),
      { stopping: { maxIterations: 30 } },
    );
    for (const k of [0, 3]) expect(Array.from(r.result.W.col(k))).toEqual(Array.from(D.col(k)));
    expect(Array.from(r.result.W.col(1))).not.toEqual(Array.from(D.col(1)));
    const A0 = new Matrix(6, 50, rng.fillNormal(new Float64Array(300)));
    const h = fit(
      createSparseCoding({ ...base, dictionary: 'gradient' }),
      { V: X, rank: 6, H0: A0, freezeH: true },
      new Rng(1),
      { stopping: { maxIterations: 10 } },
    );
    expect(Array.from(h.result.H.data)).toEqual(Array.from(A0.data));
    expect(() =>
      createSparseCoding({ ...base, dictionary: 'mod' }).init({ V: X, rank: 6, freezeW: [1] }, new Rng(1)),
    ).toThrow(/problem\.freezeW/);
    expect(() => createSparseCoding(base).init({ V: X, rank: 6, mask: X }, new Rng(1))).toThrow(/problem\.mask/);
  });

  it('bad input gives an NmflabError naming the path', async () => {
    const X = Matrix.fromRows([
      [1, -2],
      [3, 1],
    ]);
    expect(() => createSparseCoding({ ...base, method: 'nnsc' }).init({ V: X, rank: 1 }, new Rng(1))).toThrow(
      /problem\.V\[1\]/,
    );
    expect(() => createSparseCoding(base).init({ V: X, rank: 1, W0: new Matrix(2, 1) }, new Rng(1))).toThrow(
      NmflabError,
    );
    expect(() => createSparseCoding(base).init({ V: X, rank: 2, W0: new Matrix(3, 2) }, new Rng(1))).toThrow(
      /problem\.W0/,
    );
    const registry = await buildRegistry();
    expect(() =>
      registry.create('solver', { id: 'sparse-coding', params: { method: 'nnsc', penalty: 'log' } }),
    ).toThrow(/penalty/);
  });
});

describe('sparse-coding on a real recording (data/speech/train.wav)', async () => {
  const { readWav, stft } = await import('@nmflab/core');
  const wav = readWav(fileURLToPath(new URL('../../../../data/speech/train.wav', import.meta.url)), { mono: true });
  // 300 waveform patches of 32 samples (signed data, as Olshausen–Field's image patches), unit RMS overall.
  const P = 32,
    N = 300;
  const X = new Matrix(P, N);
  const start = Math.round(0.5 * wav.sampleRate);
  let rms = 0;
  for (let n = 0; n < N; n++)
    for (let i = 0; i < P; i++) {
      const v = wav.samples[start + n * 24 + i];
      X.set(i, n, v);
      rms += v * v;
    }
  rms = Math.sqrt(rms / (P * N));
  for (let i = 0; i < X.data.length; i++) X.data[i] /= rms;

  it('ISTA + gradient dictionary learning never increases the objective; FISTA meets its bound with D fixed; a ≥ 0 holds', () => {
    const learn = fit(
      createSparseCoding({ ...base, dictionary: 'gradient', lambda: 0.2 }),
      { V: X, rank: 48 },
      new Rng(1),
      { stopping: { maxIterations: 60 } },
    );
    expect(learn.increases).toEqual([]);
    expect(learn.trajectory.at(-1)!.objective).toBeLessThan(0.8 * learn.trajectory[0].objective);
    const D = learn.result.W;
    const cols = new Matrix(P, 20);
    for (let i = 0; i < P; i++) for (let n = 0; n < 20; n++) cols.set(i, n, X.get(i, n));
    for (const nonnegative of [false, true]) {
      const A0 = new Matrix(48, 20);
      const ista = createSparseCoding({ ...base, nonnegative, lambda: 0.2 });
      const star = ista.init({ V: cols, rank: 48, W0: D, H0: A0 }, new Rng(1));
      for (let k = 0; k < 2500; k++) sparseCodingStep(star);
      const Fstar = ista.objective(star).total;
      let dist2 = 0;
      for (let i = 0; i < star.A.data.length; i++) dist2 += star.A.data[i] ** 2;
      const fista = createSparseCoding({ ...base, codes: 'fista', nonnegative, lambda: 0.2 });
      const s = fista.init({ V: cols, rank: 48, W0: D, H0: A0 }, new Rng(1));
      for (let k = 1; k <= 150; k++) {
        sparseCodingStep(s);
        expect(fista.objective(s).total - Fstar).toBeLessThanOrEqual((2 * s.L * dist2) / (k + 1) ** 2);
        if (nonnegative) expect(s.A.data.every((x) => x >= 0)).toBe(true);
      }
    }
  });

  it('NNSC on the magnitude spectrogram keeps W, H ≥ 0 with unit-norm columns and decreases the objective', () => {
    const V = stft(wav.samples.slice(start, start + 8000), { frameLength: 256, hop: 128 }).abs();
    const r = fit(
      createSparseCoding({ ...base, method: 'nnsc', dictionary: 'gradient', lambda: 0.01 }),
      { V, rank: 8 },
      new Rng(2),
      { stopping: { maxIterations: 60 } },
    );
    expect(r.result.W.data.every((x) => x >= 0) && r.result.H.data.every((x) => x >= 0)).toBe(true);
    for (let k = 0; k < 8; k++) expect(Math.hypot(...r.result.W.col(k))).toBeCloseTo(1, 12);
    expect(r.trajectory.at(-1)!.objective).toBeLessThan(0.5 * r.trajectory[0].objective);
  });
});
