import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ComplexMatrix, Matrix, NmflabError, Rng, fit, matmul, maxRelDiff, type Problem } from '@nmflab/core';
import plugin, {
  complexNmfStep,
  createComplexNmf,
  type ComplexNmfParams,
  type ComplexNmfState,
} from '../../src/solvers/complex-nmf.js';

const defaults: ComplexNmfParams = { lambda: 0, p: 1, refresh: true, phaseInit: 'random' };

/** A complex spectrogram made of K components with their own phases plus a little noise. */
function mixture(F: number, N: number, K: number, seed: number): ComplexMatrix {
  const rng = new Rng(seed);
  const Y = new ComplexMatrix(F, N);
  for (let k = 0; k < K; k++) {
    const w = rng.fillUniform(new Float64Array(F));
    const h = rng.fillUniform(new Float64Array(N));
    for (let f = 0; f < F; f++)
      for (let n = 0; n < N; n++) {
        const a = 2 * Math.PI * rng.uniform();
        Y.re[f * N + n] += w[f] * h[n] * Math.cos(a);
        Y.im[f * N + n] += w[f] * h[n] * Math.sin(a);
      }
  }
  for (let i = 0; i < F * N; i++) {
    Y.re[i] += 0.01 * rng.normal();
    Y.im[i] += 0.01 * rng.normal();
  }
  return Y;
}

function problemOf(Y: ComplexMatrix, K: number, extra: Partial<Problem> = {}): Problem {
  return { V: Y.abs(), Y, rank: K, ...extra };
}

/** Unit-sum-column W and positive H drawn from a seed. */
function randomFactors(F: number, N: number, K: number, rng: Rng): { W: Matrix; H: Matrix } {
  const W = new Matrix(F, K, rng.fillUniform(new Float64Array(F * K), 0.05, 1));
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let f = 0; f < F; f++) s += W.data[f * K + k];
    for (let f = 0; f < F; f++) W.data[f * K + k] /= s;
  }
  const H = new Matrix(K, N, rng.fillUniform(new Float64Array(K * N), 0.05, 3));
  return { W, H };
}

/** Oracle: one Euclidean MU iteration on |Y| (W then H, Lp term λpH^{p−1}), then unit-sum W columns. */
function euMuLp(V: Matrix, W0: Matrix, H0: Matrix, lambda: number, p: number): { W: Matrix; H: Matrix } {
  const W = W0.clone(),
    H = H0.clone();
  const F = V.rows,
    N = V.cols,
    K = W.cols;
  let L = matmul(W, H);
  const Wn = W.clone();
  for (let f = 0; f < F; f++)
    for (let k = 0; k < K; k++) {
      let num = 0,
        den = 0;
      for (let n = 0; n < N; n++) {
        num += V.get(f, n) * H.get(k, n);
        den += L.get(f, n) * H.get(k, n);
      }
      Wn.set(f, k, (W.get(f, k) * num) / den);
    }
  L = matmul(Wn, H);
  const Hn = H.clone();
  for (let k = 0; k < K; k++)
    for (let n = 0; n < N; n++) {
      let num = 0,
        den = 0;
      for (let f = 0; f < F; f++) {
        num += Wn.get(f, k) * V.get(f, n);
        den += Wn.get(f, k) * L.get(f, n);
      }
      Hn.set(k, n, (H.get(k, n) * num) / (den + lambda * p * H.get(k, n) ** (p - 1)));
    }
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let f = 0; f < F; f++) s += Wn.get(f, k);
    for (let f = 0; f < F; f++) Wn.set(f, k, Wn.get(f, k) / s);
    for (let n = 0; n < N; n++) Hn.set(k, n, Hn.get(k, n) * s);
  }
  return { W: Wn, H: Hn };
}

describe('complex-nmf solver', () => {
  it('declares its parameters with defaults', () => {
    expect(plugin.meta.id).toBe('complex-nmf');
    expect(Object.keys(plugin.meta.params).sort()).toEqual(['lambda', 'p', 'phaseInit', 'refresh']);
  });

  for (const refresh of [true, false]) {
    for (const [lambda, p] of [
      [0, 1],
      [0.05, 1],
      [0.05, 0.5],
      [0.05, 1.5],
    ] as const) {
      it(`never increases the objective per iteration (refresh ${refresh}, λ ${lambda}, p ${p})`, () => {
        const Y = mixture(12, 15, 3, 7);
        const solver = createComplexNmf({ ...defaults, lambda, p, refresh });
        const s = solver.init(problemOf(Y, 3), new Rng(3));
        let prev = solver.objective(s).total;
        for (let it = 0; it < 60; it++) {
          complexNmfStep(s);
          // Steps 1–5 (the auxiliary-function steps) against the objective at the start.
          expect(s.beforeNormalization.total).toBeLessThanOrEqual(prev * (1 + 1e-12));
          if (refresh) {
            expect(s.afterW).toBeLessThanOrEqual(s.start * (1 + 1e-12));
            expect(s.beforeNormalization.total).toBeLessThanOrEqual(s.afterW * (1 + 1e-12));
          }
          const o = solver.objective(s);
          expect(Number.isFinite(o.total)).toBe(true);
          expect(o.terms.data! + o.terms.penalty!).toBeCloseTo(o.total, 10);
          // With λ = 0 normalization leaves the model (and f) unchanged.
          if (lambda === 0)
            expect(Math.abs(o.total - s.beforeNormalization.total)).toBeLessThanOrEqual(1e-10 * o.total);
          prev = o.total;
        }
      });
    }
  }

  it("a random start puts the model on the data's scale: mean(WH) = mean|Y|, Σ(WH)² and f within 4× of Σ|Y|²", () => {
    // Several shapes (F large against K, as in audio, where a wrongly scaled start is F-fold off) and seeds.
    for (const [F, N, K] of [
      [513, 12, 4],
      [12, 15, 3],
      [40, 7, 6],
      [5, 30, 2],
    ] as const) {
      for (const seed of [1, 2, 3]) {
        const Y = mixture(F, N, 2, 50 + seed);
        const absY = Y.abs().data;
        const meanAbs = absY.reduce((a, b) => a + b, 0) / absY.length;
        const energy = absY.reduce((a, b) => a + b * b, 0);
        for (const phaseInit of ['random', 'mixture'] as const) {
          const solver = createComplexNmf({ ...defaults, phaseInit });
          const s = solver.init(problemOf(Y, K), new Rng(seed));
          const L = matmul(s.W, s.H).data;
          const meanL = L.reduce((a, b) => a + b, 0) / L.length;
          const energyL = L.reduce((a, b) => a + b * b, 0);
          expect(Math.abs(meanL / meanAbs - 1)).toBeLessThan(1e-9);
          expect(energyL / energy).toBeGreaterThan(1 / 4);
          expect(energyL / energy).toBeLessThan(4);
          expect(solver.objective(s).total).toBeLessThan(4 * energy);
          // W keeps its unit-sum columns.
          for (let k = 0; k < K; k++) expect(s.W.col(k).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        }
      }
    }
  });

  it('with one factor given the drawn one is scaled to the data; given W0 and H0 are used as they are', () => {
    const F = 30,
      N = 20,
      K = 3;
    const Y = mixture(F, N, 2, 11);
    const absY = Y.abs().data;
    const meanAbs = absY.reduce((a, b) => a + b, 0) / absY.length;
    const meanOf = (W: Matrix, H: Matrix): number => matmul(W, H).data.reduce((a, b) => a + b, 0) / (F * N);
    const { W, H } = randomFactors(F, N, K, new Rng(6));
    // Off-scale given factors (W not of unit-sum columns, H 1000× too small): the other is drawn to fit.
    const W0 = new Matrix(
      F,
      K,
      W.data.map((x) => 50 * x),
    );
    const H0 = new Matrix(
      K,
      N,
      H.data.map((x) => x / 1000),
    );
    for (const extra of [{ W0 }, { H0 }, { H0, freezeH: true }] as Partial<Problem>[]) {
      const s = createComplexNmf(defaults).init(problemOf(Y, K, extra), new Rng(2));
      expect(Math.abs(meanOf(s.W, s.H) / meanAbs - 1)).toBeLessThan(1e-9);
    }
    // Both given: the model is W0·H0 (normalization only moves scale between them).
    const s = createComplexNmf(defaults).init(problemOf(Y, K, { W0, H0 }), new Rng(2));
    expect(maxRelDiff(matmul(s.W, s.H).data, matmul(W0, H0).data)).toBeLessThan(1e-13);
    const frozen = createComplexNmf(defaults).init(problemOf(Y, K, { W0, H0, freezeH: true }), new Rng(2));
    expect(Array.from(frozen.W.data)).toEqual(Array.from(W0.data));
    expect(Array.from(frozen.H.data)).toEqual(Array.from(H0.data));
  });

  it('runs through fit(): trajectory with data and penalty terms, W columns sum to one, no flagged increase at λ = 0', () => {
    const Y = mixture(10, 12, 2, 1);
    const r = fit(createComplexNmf(defaults), problemOf(Y, 2), new Rng(5), { stopping: { maxIterations: 30 } });
    expect(r.increases).toEqual([]);
    expect(r.trajectory).toHaveLength(31);
    expect(r.trajectory.at(-1)!.objective).toBeLessThan(r.trajectory[0].objective);
    expect(Object.keys(r.trajectory[1].terms).sort()).toEqual(['beforeNormalization', 'data', 'penalty']);
    const { W } = r.result;
    for (let k = 0; k < 2; k++) expect(W.col(k).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 13);
  });

  it('components X̄_k sum to Y (rtol 1e-14)', () => {
    const Y = mixture(9, 11, 3, 2);
    for (const lambda of [0, 0.1]) {
      const r = fit(createComplexNmf({ ...defaults, lambda, p: 0.5 }), problemOf(Y, 3), new Rng(2), {
        stopping: { maxIterations: 25 },
      });
      const comps = r.result.extra!.components as ComplexMatrix[];
      expect(comps).toHaveLength(3);
      let scale = 0;
      for (let i = 0; i < Y.re.length; i++) scale = Math.max(scale, Math.hypot(Y.re[i], Y.im[i]));
      let err = 0;
      for (let i = 0; i < Y.re.length; i++) {
        let re = 0,
          im = 0;
        for (const c of comps) {
          re += c.re[i];
          im += c.im[i];
        }
        err = Math.max(err, Math.hypot(re - Y.re[i], im - Y.im[i]));
      }
      expect(err / scale).toBeLessThan(1e-14);
    }
  });

  it('from the mixture phase, one iteration equals one Euclidean MU (+Lp) iteration on |Y|, from many random states', () => {
    const F = 8,
      N = 10,
      K = 3;
    let worst = 0;
    for (let trial = 0; trial < 40; trial++) {
      const rng = new Rng(100 + trial);
      const Y = mixture(F, N, 2, 200 + trial);
      const { W, H } = randomFactors(F, N, K, rng);
      const lambda = trial % 2 ? 0.05 : 0;
      const p = [1, 0.5, 1.5, 1][trial % 4];
      const solver = createComplexNmf({ lambda, p, refresh: true, phaseInit: 'mixture' });
      const s = solver.init(problemOf(Y, K, { W0: W, H0: H }), new Rng(1));
      solver.step(s);
      const o = euMuLp(Y.abs(), W, H, lambda, p);
      worst = Math.max(worst, maxRelDiff(s.W.data, o.W.data), maxRelDiff(s.H.data, o.H.data));
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it('with K = 1 from the mixture phase the agreement with EU-MU holds along the whole run', () => {
    const F = 10,
      N = 12;
    const Y = mixture(F, N, 2, 9);
    const { W, H } = randomFactors(F, N, 1, new Rng(4));
    const solver = createComplexNmf({ lambda: 0.02, p: 1, refresh: true, phaseInit: 'mixture' });
    const s = solver.init(problemOf(Y, 1, { W0: W, H0: H }), new Rng(1));
    let ow = W,
      oh = H;
    for (let it = 0; it < 100; it++) {
      solver.step(s);
      ({ W: ow, H: oh } = euMuLp(Y.abs(), ow, oh, 0.02, 1));
      expect(maxRelDiff(s.W.data, ow.data)).toBeLessThan(1e-10);
      expect(maxRelDiff(s.H.data, oh.data)).toBeLessThan(1e-10);
    }
  });

  it('p < 1 collapses activations to exact zeros without NaN', () => {
    const Y = mixture(10, 14, 2, 3);
    const r = fit(
      createComplexNmf({ lambda: 0.3, p: 0.3, refresh: true, phaseInit: 'random' }),
      problemOf(Y, 4),
      new Rng(8),
      { stopping: { maxIterations: 150 } },
    );
    const h = r.result.H.data;
    expect(h.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    expect(r.result.W.data.every(Number.isFinite)).toBe(true);
    expect(h.filter((x) => x === 0).length).toBeGreaterThan(0);
    expect(r.trajectory.every((t) => Number.isFinite(t.objective))).toBe(true);
    const comps = r.result.extra!.components as ComplexMatrix[];
    expect(comps.every((c) => c.re.every(Number.isFinite) && c.im.every(Number.isFinite))).toBe(true);
  });

  it('same seed gives bit-identical results; random phases depend on the seed', () => {
    const Y = mixture(6, 7, 2, 4);
    const run = (seed: number) =>
      fit(createComplexNmf(defaults), problemOf(Y, 2), new Rng(seed), { stopping: { maxIterations: 10 } }).result;
    expect(Array.from(run(3).H.data)).toEqual(Array.from(run(3).H.data));
    expect(Array.from(run(3).H.data)).not.toEqual(Array.from(run(4).H.data));
  });

  it('given phases are used, and without Y the solver factorizes V with zero phase', () => {
    const Y = mixture(6, 8, 2, 5);
    const phase0 = [Y.angle(), Y.angle()];
    const { W, H } = randomFactors(6, 8, 2, new Rng(1));
    const a = createComplexNmf({ ...defaults, phaseInit: 'given' });
    const b = createComplexNmf({ ...defaults, phaseInit: 'mixture' });
    const sa = a.init(problemOf(Y, 2, { W0: W, H0: H, phase0 }), new Rng(1));
    const sb = b.init(problemOf(Y, 2, { W0: W, H0: H }), new Rng(1));
    a.step(sa);
    b.step(sb);
    expect(maxRelDiff(sa.H.data, sb.H.data)).toBeLessThan(1e-14);
    // V only: zero phase for the data; with the mixture phase it is EU-MU on V.
    const V = Y.abs();
    const c = createComplexNmf({ ...defaults, phaseInit: 'mixture' });
    const sc: ComplexNmfState = c.init({ V, rank: 2, W0: W, H0: H }, new Rng(1));
    c.step(sc);
    expect(maxRelDiff(sc.H.data, euMuLp(V, W, H, 0, 1).H.data)).toBeLessThan(1e-10);
  });

  it('a frozen W (all or some columns) and a frozen H stay bit-identical; a mask is rejected', () => {
    const Y = mixture(8, 9, 2, 6);
    const { W, H } = randomFactors(8, 9, 3, new Rng(2));
    for (const freezeW of [true, [1]] as const) {
      const r = fit(
        createComplexNmf({ ...defaults, lambda: 0.05 }),
        problemOf(Y, 3, { W0: W, H0: H, freezeW: freezeW as true | number[] }),
        new Rng(1),
        { stopping: { maxIterations: 15 } },
      );
      const cols = freezeW === true ? [0, 1, 2] : [1];
      for (const k of cols) expect(Array.from(r.result.W.col(k))).toEqual(Array.from(W.col(k)));
      if (freezeW !== true) expect(Array.from(r.result.W.col(0))).not.toEqual(Array.from(W.col(0)));
    }
    const r = fit(createComplexNmf(defaults), problemOf(Y, 3, { W0: W, H0: H, freezeH: true }), new Rng(1), {
      stopping: { maxIterations: 15 },
    });
    expect(Array.from(r.result.H.data)).toEqual(Array.from(H.data));
    expect(() => createComplexNmf(defaults).init(problemOf(Y, 3, { mask: Y.abs() }), new Rng(1))).toThrow(
      /problem\.mask/,
    );
  });

  it('bad input gives an NmflabError naming the path', () => {
    const Y = mixture(4, 5, 1, 1);
    const s = createComplexNmf({ ...defaults, phaseInit: 'given' });
    expect(() => s.init(problemOf(Y, 2), new Rng(1))).toThrow(NmflabError);
    expect(() => s.init(problemOf(Y, 2), new Rng(1))).toThrow(/problem\.phase0/);
    const bad = Y.clone();
    bad.re[3] = NaN;
    expect(() => createComplexNmf(defaults).init(problemOf(bad, 2), new Rng(1))).toThrow(/problem\.Y\.re\[3\]/);
    expect(() => createComplexNmf(defaults).init({ V: new Matrix(3, 3), Y, rank: 2 }, new Rng(1))).toThrow(
      /problem\.V/,
    );
  });
});

describe('complex-nmf on a real recording (data/piano/four-notes.wav, 0.6 s excerpt)', async () => {
  const { readWav, stft } = await import('@nmflab/core');
  const file = fileURLToPath(new URL('../../../../data/piano/four-notes.wav', import.meta.url));
  const wav = readWav(file, { mono: true });
  // The four notes sound together in the first seconds; take 0.6 s from 0.2 s.
  const x = wav.samples.slice(Math.round(0.2 * wav.sampleRate), Math.round(0.8 * wav.sampleRate));
  const Y = stft(x, { frameLength: 256, hop: 128 });

  it('is monotone per iteration and per block, keeps Σ X̄_k = Y and gives no NaN with p < 1', () => {
    for (const [lambda, p] of [
      [0, 1],
      [0.02, 0.5],
    ] as const) {
      const solver = createComplexNmf({ lambda, p, refresh: true, phaseInit: 'random' });
      const s = solver.init(problemOf(Y, 4), new Rng(1));
      let prev = solver.objective(s).total;
      for (let it = 0; it < 30; it++) {
        complexNmfStep(s);
        expect(s.afterW).toBeLessThanOrEqual(s.start * (1 + 1e-12));
        expect(s.beforeNormalization.total).toBeLessThanOrEqual(s.afterW * (1 + 1e-12));
        expect(s.beforeNormalization.total).toBeLessThanOrEqual(prev * (1 + 1e-12));
        prev = solver.objective(s).total;
        expect(Number.isFinite(prev)).toBe(true);
      }
      const comps = solver.result(s).extra!.components as ComplexMatrix[];
      let scale = 0,
        err = 0;
      for (let i = 0; i < Y.re.length; i++) {
        scale = Math.max(scale, Math.hypot(Y.re[i], Y.im[i]));
        let re = 0,
          im = 0;
        for (const c of comps) {
          re += c.re[i];
          im += c.im[i];
        }
        err = Math.max(err, Math.hypot(re - Y.re[i], im - Y.im[i]));
      }
      expect(err / scale).toBeLessThan(1e-14);
    }
  });

  it("a random start has the recording's mean level and an initial objective below 4·Σ|Y|²", () => {
    const absY = Y.abs().data;
    const meanAbs = absY.reduce((a, b) => a + b, 0) / absY.length;
    const energy = absY.reduce((a, b) => a + b * b, 0);
    for (const seed of [1, 2]) {
      const solver = createComplexNmf(defaults);
      const s = solver.init(problemOf(Y, 4), new Rng(seed));
      const L = matmul(s.W, s.H).data;
      expect(L.reduce((a, b) => a + b, 0) / L.length / meanAbs).toBeCloseTo(1, 9);
      expect(solver.objective(s).total).toBeLessThan(4 * energy);
    }
  });

  it('from ∠Y one iteration equals one EU-MU(+Lp) iteration on |Y|, from several random states', () => {
    const F = Y.rows,
      N = Y.cols;
    let worst = 0;
    for (let trial = 0; trial < 5; trial++) {
      const { W, H } = randomFactors(F, N, 4, new Rng(40 + trial));
      const solver = createComplexNmf({ lambda: trial % 2 ? 0.01 : 0, p: 1, refresh: true, phaseInit: 'mixture' });
      const s = solver.init(problemOf(Y, 4, { W0: W, H0: H }), new Rng(1));
      solver.step(s);
      const o = euMuLp(Y.abs(), W, H, trial % 2 ? 0.01 : 0, 1);
      worst = Math.max(worst, maxRelDiff(s.W.data, o.W.data), maxRelDiff(s.H.data, o.H.data));
    }
    expect(worst).toBeLessThan(1e-10);
  });
});
