import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Matrix, Rng, fit, matmul, type Problem } from '@nmflab/core';
import { MuSolver, OnlineMuSolver, type OnlineMuOptions } from '@nmflab/solvers';
import randomInit from '../../src/initializers/random.js';
import { betaDivergence } from '../support/oracles.js';

const random = randomInit.create({}, {} as never);

/** V = W H ⊙ E, Exp(1) factors and Gamma(2, ½) multiplicative noise (mean 1): positive, rank-K signal. */
function data(F: number, N: number, K: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const W = new Matrix(F, K),
    H = new Matrix(K, N);
  for (const X of [W, H]) for (let i = 0; i < X.data.length; i++) X.data[i] = -Math.log(rng.uniform());
  const V = new Matrix(F, N);
  matmul(W, H, V);
  for (let i = 0; i < V.data.length; i++) V.data[i] *= -0.5 * Math.log(rng.uniform() * rng.uniform());
  return V;
}

const solver = (beta: number, o: Partial<OnlineMuOptions> = {}) =>
  new OnlineMuSolver({ divergence: betaDivergence(beta), initializer: random, batchSize: 100, ...o });

describe('online-mu: the objective decreases in expectation', () => {
  // What is checked: over 5 seeds (data and start), the mean over seeds of the full objective
  // Σ d_β(V|WH) after each pass is strictly decreasing for the first 8 passes, every seed ends below
  // 60 % of its start, and the mean ends within 3 % of batch MU after as many iterations.
  for (const beta of [1, 0, 2]) {
    for (const fresh of [false, true]) {
      it(`β = ${beta}${fresh ? ', fresh restarts' : ''}`, () => {
        const passes = 8,
          seeds = 5;
        const mean = new Float64Array(passes + 1);
        let muMean = 0;
        for (let seed = 0; seed < seeds; seed++) {
          const p: Problem = { V: data(24, 600, 4, 100 + seed), rank: 4 };
          const r = fit(solver(beta, { freshRestarts: fresh, innerIterations: 10 }), p, new Rng(seed), {
            stopping: { maxIterations: passes },
          });
          const f = r.trajectory.map((t) => t.objective);
          expect(f.every(Number.isFinite)).toBe(true);
          expect(f.at(-1)!).toBeLessThan(0.6 * f[0]);
          f.forEach((v, i) => (mean[i] += v / seeds));
          const mu = fit(
            new MuSolver({ divergence: betaDivergence(beta), initializer: random, normalize: 'none' }),
            p,
            new Rng(seed),
            { stopping: { maxIterations: passes } },
          );
          muMean += mu.trajectory.at(-1)!.objective / seeds;
        }
        for (let i = 1; i <= passes; i++) expect(mean[i]).toBeLessThan(mean[i - 1]);
        expect(mean[passes]).toBeLessThan(1.03 * muMean);
      });
    }
  }
});

describe('online-mu: mechanics', () => {
  it('batchSize ≥ N and forgetFactor 0 is batch MU with W updated first from the fresh H (one step each)', () => {
    // With one batch of all frames and ρ = 0: A = W^{1/γ}⊙num, B = den, W = (A/B)^γ = W⊙(num/den)^γ.
    const V = data(10, 30, 3, 1);
    const rng = new Rng(2);
    const W0 = new Matrix(10, 3),
      H0 = new Matrix(3, 30);
    rng.fillUniform(W0.data, 0.2, 1);
    rng.fillUniform(H0.data, 0.2, 1);
    for (const beta of [1, 0, 2, 0.5]) {
      const on = solver(beta, { batchSize: 1000, forgetFactor: 0 });
      const st = on.init({ V, rank: 3, W0, H0 }, new Rng(0));
      on.step(st);
      // mu updates W then H; online-mu updates H then W: run mu with H first by two half problems.
      const mu = new MuSolver({ divergence: betaDivergence(beta), normalize: 'none' });
      const a = mu.init({ V, rank: 3, W0, H0, freezeW: true }, new Rng(0));
      mu.step(a);
      const H1 = mu.result(a).H;
      const b = mu.init({ V, rank: 3, W0, H0: H1, freezeH: true }, new Rng(0));
      mu.step(b);
      const r = on.result(st);
      const W1 = mu.result(b).W;
      for (let i = 0; i < H1.data.length; i++)
        expect(Math.abs(r.H.data[i] - H1.data[i]) / H1.data[i]).toBeLessThan(1e-12);
      for (let i = 0; i < W1.data.length; i++)
        expect(Math.abs(r.W.data[i] - W1.data[i]) / W1.data[i]).toBeLessThan(1e-12);
    }
  });

  it('learnStream from batches equals the in-memory solver with fresh restarts, bit for bit', () => {
    const V = data(16, 250, 3, 4);
    const init = random.init(V, 3, new Rng(9));
    const s = solver(1, { freshRestarts: true, innerIterations: 5, batchSize: 64 });
    const st = s.init({ V, rank: 3, W0: init.W, H0: init.H }, new Rng(0));
    s.step(st);
    s.step(st);
    // The stream delivers the frames in uneven chunks: the learner cuts them into batches of 64.
    const chunks = [0, 50, 64, 130, 250];
    const batches = function* () {
      for (let c = 0; c + 1 < chunks.length; c++) {
        const j0 = chunks[c],
          b = chunks[c + 1] - j0;
        const X = new Matrix(16, b);
        for (let f = 0; f < 16; f++) for (let j = 0; j < b; j++) X.data[f * b + j] = V.get(f, j0 + j);
        yield X;
      }
    };
    const r = s.learnStream(batches, { rank: 3, frames: 250, passes: 2, rng: new Rng(0), W0: init.W });
    expect(r.frames).toBe(250);
    expect(r.passCosts.length).toBe(2);
    expect(r.passCosts[1]).toBeLessThan(r.passCosts[0]);
    // Chunks 0–50 and 50–64 make batches of 50 and 14 instead of one of 64: compare to a stream
    // cut like the matrix instead.
    const even = function* () {
      for (let j0 = 0; j0 < 250; j0 += 64) {
        const b = Math.min(64, 250 - j0);
        const X = new Matrix(16, b);
        for (let f = 0; f < 16; f++) for (let j = 0; j < b; j++) X.data[f * b + j] = V.get(f, j0 + j);
        yield X;
      }
    };
    const e = s.learnStream(even, { rank: 3, frames: 250, passes: 2, rng: new Rng(0), W0: init.W });
    expect(Array.from(e.W.data)).toEqual(Array.from(s.result(st).W.data));
  });

  it('frozen W stays; masks and zero data at β ≤ 0 are refused with the path named', () => {
    const V = data(8, 40, 2, 3);
    const s = solver(1, { freezeW: true });
    const W0 = random.init(V, 2, new Rng(1)).W;
    const r = fit(s, { V, rank: 2, W0, H0: random.init(V, 2, new Rng(2)).H }, new Rng(0), {
      stopping: { maxIterations: 3 },
    });
    expect(Array.from(r.result.W.data)).toEqual(Array.from(W0.data));
    expect(r.trajectory.at(-1)!.objective).toBeLessThan(r.trajectory[0].objective);
    expect(() => solver(1).init({ V, rank: 2, mask: V }, new Rng(0))).toThrow(/no mask/);
    const Z = V.clone();
    Z.data[5] = 0;
    expect(() => solver(0).init({ V: Z, rank: 2 }, new Rng(0))).toThrow(/zero entries/);
  });
});

describe('online-mu: offset', () => {
  it('offset makes zero data usable at β = 0 and equals fitting V + offset', () => {
    const V = data(8, 40, 2, 5);
    V.data[3] = 0;
    const off = 1e-3;
    const shifted = V.clone();
    for (let i = 0; i < shifted.data.length; i++) shifted.data[i] += off;
    const init = random.init(shifted, 2, new Rng(1));
    const a = fit(solver(0, { offset: off }), { V, rank: 2, W0: init.W, H0: init.H }, new Rng(0), {
      stopping: { maxIterations: 4 },
    });
    const b = fit(solver(0), { V: shifted, rank: 2, W0: init.W, H0: init.H }, new Rng(0), {
      stopping: { maxIterations: 4 },
    });
    expect(a.trajectory.map((r) => r.objective)).toEqual(b.trajectory.map((r) => r.objective));
  });
});

describe('online-mu agrees with scikit-learn MiniBatchNMF', () => {
  // Fixture: scripts/make-sklearn-minibatch-fixture.py (batch 16 of 50 frames, forget factor 0.7,
  // no fresh restarts). sklearn's floors (entries below float64 ε set to 0, WH = 0 read as ε) never
  // act on this strictly positive problem, nor do ours (ε-floored factors).
  const fx = JSON.parse(
    readFileSync(new URL('../fixtures/sklearn-minibatch-trajectories.json', import.meta.url), 'utf8'),
  ) as {
    V: number[][];
    W0: number[][];
    H0: number[][];
    rank: number;
    passes: number;
    batchSize: number;
    forgetFactor: number;
    trajectories: Record<string, number[]>;
  };
  for (const [b, ref] of Object.entries(fx.trajectories)) {
    it(`β = ${b}: the objective after every pass within 1e-9 relative`, () => {
      const s = solver(Number(b), { batchSize: fx.batchSize, forgetFactor: fx.forgetFactor });
      const r = fit(
        s,
        { V: Matrix.fromRows(fx.V), rank: fx.rank, W0: Matrix.fromRows(fx.W0), H0: Matrix.fromRows(fx.H0) },
        new Rng(0),
        { stopping: { maxIterations: fx.passes } },
      );
      const ours = r.trajectory.map((t) => t.objective);
      expect(ours.length).toBe(ref.length);
      expect(Math.max(...ours.map((f, i) => Math.abs(f - ref[i]) / ref[i]))).toBeLessThan(1e-9);
    });
  }
});
