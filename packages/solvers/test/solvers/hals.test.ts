import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Matrix, Rng, fit, matmul, type Problem, type Regularizer } from '@nmflab/core';
import { HalsSolver, MuSolver, type HalsOptions } from '@nmflab/solvers';
import randomInit from '../../src/initializers/random.js';
import { betaDivergence, lpPenalty, randMatrix } from '../support/oracles.js';

const random = randomInit.create({}, {} as never);

function problem(F: number, N: number, K: number, seed: number, extra: Partial<Problem> = {}): Problem {
  const rng = new Rng(seed);
  return { V: randMatrix(F, N, rng, 0, 2), rank: K, W0: randMatrix(F, K, rng), H0: randMatrix(K, N, rng), ...extra };
}

const solver = (o: HalsOptions = {}) => new HalsSolver({ initializer: random, ...o });

/** Objective after each step (index 0: the start), checked on every iteration. */
function trajectory(s: HalsSolver, p: Problem, iters: number, seed = 1): { f: number[]; W: Matrix; H: Matrix } {
  const st = s.init(p, new Rng(seed));
  const f = [s.objective(st).total];
  for (let i = 0; i < iters; i++) {
    s.step(st);
    f.push(s.objective(st).total);
  }
  return { f, ...s.result(st) };
}

function increases(f: number[], tol = 1e-12): number[] {
  const out: number[] = [];
  for (let i = 1; i < f.length; i++) if (f[i] - f[i - 1] > tol * Math.abs(f[i - 1])) out.push(i);
  return out;
}

/** ½‖M⊙(V − WH)‖² plus penalties, computed directly. */
function directObjective(p: Problem, W: Matrix, H: Matrix, regs: Regularizer[] = []): number {
  const L = new Matrix(p.V.rows, p.V.cols);
  matmul(W, H, L);
  let t = 0;
  for (let i = 0; i < L.data.length; i++) {
    const m = p.mask ? p.mask.data[i] : 1;
    const d = p.V.data[i] - L.data[i];
    t += m * d * d;
  }
  return 0.5 * t + regs.reduce((a, r) => a + r.value(r.target === 'W' ? W.data : H.data), 0);
}

/** A mask with about a quarter of the entries 0 and the rest weights in [0.5, 2]. */
function mask(F: number, N: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const M = new Matrix(F, N);
  for (let i = 0; i < M.data.length; i++) M.data[i] = rng.uniform() < 0.25 ? 0 : 0.5 + 1.5 * rng.uniform();
  return M;
}

describe('hals: the objective never increases (checked every iteration)', () => {
  const cases: [string, HalsOptions, Partial<Problem>][] = [
    ['plain', {}, {}],
    ['shuffled order', { shuffle: true }, {}],
    ['floor eps', { floor: 'eps' }, {}],
    ['L1 on H, L2 on W', { regularizers: [lpPenalty('H', 0.3, 1), lpPenalty('W', 0.2, 2)] }, {}],
    ['Lp p = 1.5 and p = 0.5', { regularizers: [lpPenalty('H', 0.2, 1.5), lpPenalty('W', 0.05, 0.5)] }, {}],
    ['mask (weighted HALS)', {}, { mask: mask(14, 11, 3) }],
    [
      'mask with penalties, shuffled',
      { shuffle: true, regularizers: [lpPenalty('H', 0.2, 1)] },
      { mask: mask(14, 11, 4) },
    ],
    ['frozen W columns 0 and 2', {}, { freezeW: [0, 2] }],
    ['frozen H', {}, { freezeH: true }],
  ];
  for (const [name, o, extra] of cases) {
    it(name, () => {
      const p = problem(14, 11, 4, 7, extra);
      const { f, W, H } = trajectory(solver(o), p, 80);
      expect(f.every(Number.isFinite)).toBe(true);
      expect(increases(f)).toEqual([]);
      expect(f.at(-1)!).toBeLessThan(0.9 * f[0]);
      // The reported objective is the true one (Gram form or residual path).
      expect(Math.abs(f.at(-1)! - directObjective(p, W, H, o.regularizers)) / f.at(-1)!).toBeLessThan(1e-10);
      for (const x of [...W.data, ...H.data])
        expect(x).toBeGreaterThanOrEqual(o.floor === 'eps' ? 1.1920928955078125e-7 : 0);
    });
  }

  it('frozen columns keep their values exactly, frozen H too', () => {
    const p = problem(10, 9, 3, 5, { freezeW: [1] });
    const s = solver();
    const st = s.init(p, new Rng(0));
    for (let i = 0; i < 10; i++) s.step(st);
    for (let f = 0; f < 10; f++) expect(st.W.get(f, 1)).toBe(p.W0!.get(f, 1));
    const q = problem(10, 9, 3, 5, { freezeH: true });
    const { H } = trajectory(solver(), q, 10);
    expect(Array.from(H.data)).toEqual(Array.from(q.H0!.data));
  });

  it('an all-ones mask gives the unmasked trajectory (to rounding)', () => {
    const p = problem(12, 10, 3, 9);
    const ones = new Matrix(12, 10);
    ones.data.fill(1);
    const a = trajectory(solver(), p, 30).f;
    const b = trajectory(solver(), { ...p, mask: ones }, 30).f;
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]) / a[i]).toBeLessThan(1e-9);
  });

  it('shuffle is seeded: same seed, same bits; another seed, another path', () => {
    const p = problem(12, 10, 4, 2);
    const a = trajectory(solver({ shuffle: true }), p, 15, 3);
    const b = trajectory(solver({ shuffle: true }), p, 15, 3);
    const c = trajectory(solver({ shuffle: true }), p, 15, 4);
    expect(Array.from(b.W.data)).toEqual(Array.from(a.W.data));
    expect(b.f).toEqual(a.f);
    expect(c.f).not.toEqual(a.f);
  });
});

describe('hals: KKT / fixed point on exact low-rank data', () => {
  it('reaches V = WH to high accuracy and satisfies the KKT conditions there', () => {
    const rng = new Rng(11);
    const F = 20,
      N = 25,
      K = 3;
    const Wt = randMatrix(F, K, rng, 0, 1),
      Ht = randMatrix(K, N, rng, 0, 1);
    // Exact zeros in the truth so the projection is active at the solution.
    for (let i = 0; i < Wt.data.length; i += 5) Wt.data[i] = 0;
    const V = new Matrix(F, N);
    matmul(Wt, Ht, V);
    const p: Problem = { V, rank: K, W0: randMatrix(F, K, rng), H0: randMatrix(K, N, rng) };
    const res = fit(solver(), p, new Rng(0), { stopping: { maxIterations: 3000 } });
    expect(res.increases).toEqual([]);
    const f = res.trajectory.at(-1)!.objective;
    let vv = 0;
    for (const v of V.data) vv += v * v;
    expect(f / (0.5 * vv)).toBeLessThan(1e-12);
    // KKT: ∇_W = (WH − V)Hᵀ ≥ −tol, W ≥ 0, W ⊙ ∇_W ≈ 0 (same for H), relative to ‖V‖.
    const { W, H } = res.result;
    const L = new Matrix(F, N);
    matmul(W, H, L);
    const scale = Math.sqrt(vv);
    for (let fi = 0; fi < F; fi++)
      for (let k = 0; k < K; k++) {
        let g = 0;
        for (let n = 0; n < N; n++) g += (L.get(fi, n) - V.get(fi, n)) * H.get(k, n);
        expect(g).toBeGreaterThan(-1e-5 * scale);
        expect(Math.abs(g * W.get(fi, k))).toBeLessThan(1e-5 * scale);
      }
    for (let k = 0; k < K; k++)
      for (let n = 0; n < N; n++) {
        let g = 0;
        for (let fi = 0; fi < F; fi++) g += W.get(fi, k) * (L.get(fi, n) - V.get(fi, n));
        expect(g).toBeGreaterThan(-1e-5 * scale);
        expect(Math.abs(g * H.get(k, n))).toBeLessThan(1e-5 * scale);
      }
  });

  it('a fixed point stays put: started at an exact factorization, one step changes nothing', () => {
    const rng = new Rng(12);
    const W = randMatrix(8, 2, rng, 0.5, 1),
      H = randMatrix(2, 9, rng, 0.5, 1);
    const V = new Matrix(8, 9);
    matmul(W, H, V);
    const s = solver();
    const st = s.init({ V, rank: 2, W0: W, H0: H }, new Rng(0));
    s.step(st);
    for (let i = 0; i < W.data.length; i++) expect(Math.abs(st.W.data[i] - W.data[i])).toBeLessThan(1e-12);
    for (let i = 0; i < H.data.length; i++) expect(Math.abs(st.H.data[i] - H.data[i])).toBeLessThan(1e-12);
  });
});

describe('hals agrees with scikit-learn NMF(solver="cd")', () => {
  const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn-cd-trajectories.json', import.meta.url), 'utf8')) as {
    V: number[][];
    W0: number[][];
    H0: number[][];
    rank: number;
    iterations: number;
    cases: Record<
      string,
      { l1W: number; l2W: number; l1H: number; l2H: number; trajectory: number[]; W: number[][]; H: number[][] }
    >;
  };
  for (const [name, c] of Object.entries(fx.cases)) {
    it(`${name}: every iteration's objective within 1e-9 relative, final factors within 1e-8`, () => {
      // sklearn's l1·Σx and ½·l2·Σx²: lpPenalty(p = 1, λ = l1) and lpPenalty(p = 2, λ = l2/2).
      const regs: Regularizer[] = [];
      if (c.l1W > 0) regs.push(lpPenalty('W', c.l1W, 1));
      if (c.l2W > 0) regs.push(lpPenalty('W', c.l2W / 2, 2));
      if (c.l1H > 0) regs.push(lpPenalty('H', c.l1H, 1));
      if (c.l2H > 0) regs.push(lpPenalty('H', c.l2H / 2, 2));
      const res = fit(
        new HalsSolver({ regularizers: regs }),
        { V: Matrix.fromRows(fx.V), rank: fx.rank, W0: Matrix.fromRows(fx.W0), H0: Matrix.fromRows(fx.H0) },
        new Rng(0),
        {
          stopping: { maxIterations: fx.iterations },
        },
      );
      const ours = res.trajectory.map((r) => r.objective);
      expect(ours.length).toBe(c.trajectory.length);
      const rel = ours.map((f, i) => Math.abs(f - c.trajectory[i]) / c.trajectory[i]);
      expect(Math.max(...rel)).toBeLessThan(1e-9);
      expect(res.increases).toEqual([]);
      const W = Matrix.fromRows(c.W),
        H = Matrix.fromRows(c.H);
      for (let i = 0; i < W.data.length; i++) expect(Math.abs(res.result.W.data[i] - W.data[i])).toBeLessThan(1e-8);
      for (let i = 0; i < H.data.length; i++) expect(Math.abs(res.result.H.data[i] - H.data[i])).toBeLessThan(1e-8);
    });
  }
});

describe('hals vs mu', () => {
  it('reaches a lower Euclidean objective than MU in the same number of iterations (Cichocki & Phan)', () => {
    const p = problem(40, 60, 5, 21);
    const h = trajectory(solver(), p, 50).f.at(-1)!;
    const mu = new MuSolver({ divergence: betaDivergence(2), normalize: 'none' });
    const st = mu.init(p, new Rng(1));
    for (let i = 0; i < 50; i++) mu.step(st);
    expect(h).toBeLessThan(mu.objective(st).total);
  });

  it('rejects bad input with the path named', () => {
    const p = problem(5, 4, 2, 1);
    expect(() => solver().init({ ...p, freezeW: [3] }, new Rng(0))).toThrow(/frozen column out of range/);
    const bad = p.V.clone();
    bad.data[3] = -1;
    expect(() => solver().init({ ...p, V: bad }, new Rng(0))).toThrow(/non-negative/);
  });
});
