import { describe, expect, it } from 'vitest';
import {
  Matrix,
  Rng,
  fit,
  matmul,
  matmulNT,
  matmulTN,
  maxRelDiff,
  NmflabError,
  nativeAvailable,
  nativeThreads,
  setMatmulBackend,
  setNativeThreads,
  selectKernels,
  type Divergence,
  type KernelBackend,
  type MuKernels,
  type Problem,
  type Regularizer,
} from '@nmflab/core';
import { MuSolver, type MuOptions } from '@nmflab/solvers';
import randomInit from '../../src/initializers/random.js';
import { betaDivergence, lpPenalty, randMatrix } from '../support/oracles.js';
import { restoreMatmulBackendAfterEach } from '../../../../test/support/backend.js';

restoreMatmulBackendAfterEach();

const random = randomInit.create({}, {} as never);

function problem(F: number, N: number, K: number, seed: number, extra: Partial<Problem> = {}): Problem {
  const rng = new Rng(seed);
  return { V: randMatrix(F, N, rng, 0.05, 2), rank: K, W0: randMatrix(F, K, rng), H0: randMatrix(K, N, rng), ...extra };
}

function solver(div: Divergence, o: Partial<MuOptions> = {}): MuSolver {
  return new MuSolver({ divergence: div, initializer: random, normalize: 'none', ...o });
}

/** Run `iters` steps and return the objective after each (index 0: initial point). */
function trajectory(s: MuSolver, p: Problem, iters: number, seed = 1): { f: number[]; W: Matrix; H: Matrix } {
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

describe('mu: monotonicity in mm mode', () => {
  for (const beta of [-1, 0, 0.5, 1, 1.5, 2, 2.5, 3]) {
    it(`β = ${beta}: the objective never increases`, () => {
      const { f } = trajectory(solver(betaDivergence(beta)), problem(12, 10, 3, 7), 60);
      expect(f.every(Number.isFinite)).toBe(true);
      expect(increases(f)).toEqual([]);
      expect(f.at(-1)!).toBeLessThan(f[0]);
    });
  }
  for (const beta of [0, 0.5, 1, 1.5, 2, 3]) {
    for (const p of [1, 1.5, 2, 0.5]) {
      it(`β = ${beta} with an Lp penalty (p = ${p}) on H and L1 on W: never increases`, () => {
        const regs = [lpPenalty('H', 0.3, p), lpPenalty('W', 0.05, 1)];
        const s = solver(betaDivergence(beta), { regularizers: regs });
        expect(s.monotone).toBe(true);
        const { f } = trajectory(s, problem(10, 9, 3, 11), 40);
        expect(increases(f)).toEqual([]);
      });
    }
  }
  it('the KL, p = 1.5 one-entry example of the reference: exact MM step decreases, added-denominator increases', () => {
    const p: Problem = {
      V: Matrix.fromRows([[100]]),
      rank: 1,
      W0: Matrix.fromRows([[1]]),
      H0: Matrix.fromRows([[1e-3]]),
      freezeW: true,
    };
    const reg = [lpPenalty('H', 5, 1.5)];
    const mm = trajectory(solver(betaDivergence(1), { regularizers: reg }), p, 1).f;
    const heur = trajectory(solver(betaDivergence(1), { regularizers: reg, mode: 'heuristic' }), p, 1).f;
    expect(mm[0]).toBeCloseTo(1051.3, 1);
    expect(mm[1]).toBeCloseTo(407.3, 1);
    expect(heur[1]).toBeCloseTo(3635.6, 1);
  });
  it('the heuristic increases the objective on the β = 3 and β = −1 one-step examples, mm does not', () => {
    const cases = [
      {
        beta: 3,
        V: [[0.01], [0.01], [100]],
        W: [
          [10, 0.01],
          [0.01, 10],
          [1, 1],
        ],
        H: [[0.1], [0.01]],
        f0: 166666.391,
        f1: 166850.068,
      },
      {
        beta: -1,
        V: [[0.01], [10], [100]],
        W: [
          [10, 1],
          [0.01, 100],
          [100, 0.01],
        ],
        H: [[0.1], [1]],
        f0: 49.946,
        f1: 52.128,
      },
    ];
    for (const c of cases) {
      const p: Problem = {
        V: Matrix.fromRows(c.V),
        rank: 2,
        W0: Matrix.fromRows(c.W),
        H0: Matrix.fromRows(c.H),
        freezeW: true,
      };
      const heur = trajectory(solver(betaDivergence(c.beta), { mode: 'heuristic' }), p, 1).f;
      const mm = trajectory(solver(betaDivergence(c.beta), { mode: 'mm' }), p, 1).f;
      expect(heur[0]).toBeCloseTo(c.f0, 2);
      expect(heur[1]).toBeCloseTo(c.f1, 2);
      expect(mm[1]).toBeLessThanOrEqual(mm[0]);
    }
  });
});

/** The textbook Lee–Seung updates (§2a), W then H, with plain products: the oracle. */
function leeSeung(V: Matrix, W0: Matrix, H0: Matrix, beta: 1 | 2, iters: number): { W: Matrix; H: Matrix } {
  const W = W0.clone(),
    H = H0.clone();
  const F = V.rows,
    N = V.cols,
    K = W.cols;
  for (let it = 0; it < iters; it++) {
    if (beta === 2) {
      const num = matmulNT(V, H),
        den = matmul(W, matmulNT(H, H));
      for (let i = 0; i < W.data.length; i++) W.data[i] *= num.data[i] / den.data[i];
      const numH = matmulTN(W, V),
        denH = matmulTN(W, matmul(W, H));
      for (let i = 0; i < H.data.length; i++) H.data[i] *= numH.data[i] / denH.data[i];
    } else {
      let L = matmul(W, H);
      const R = new Matrix(
        F,
        N,
        V.data.map((v, i) => v / L.data[i]),
      );
      const num = matmulNT(R, H);
      for (let f = 0; f < F; f++)
        for (let k = 0; k < K; k++) {
          let hs = 0;
          for (let n = 0; n < N; n++) hs += H.get(k, n);
          W.data[f * K + k] *= num.get(f, k) / hs;
        }
      L = matmul(W, H);
      const R2 = new Matrix(
        F,
        N,
        V.data.map((v, i) => v / L.data[i]),
      );
      const numH = matmulTN(W, R2);
      for (let k = 0; k < K; k++) {
        let ws = 0;
        for (let f = 0; f < F; f++) ws += W.get(f, k);
        for (let n = 0; n < N; n++) H.data[k * N + n] *= numH.get(k, n) / ws;
      }
    }
  }
  return { W, H };
}

describe('mu: equals the dedicated updates', () => {
  for (const beta of [2, 1] as const) {
    it(`β = ${beta} equals the textbook Lee–Seung updates`, () => {
      const p = problem(15, 12, 4, 3);
      const ours = trajectory(solver(betaDivergence(beta)), p, 25);
      const ref = leeSeung(p.V, p.W0!, p.H0!, beta, 25);
      expect(maxRelDiff(ours.W.data, ref.W.data)).toBeLessThan(1e-11);
      expect(maxRelDiff(ours.H.data, ref.H.data)).toBeLessThan(1e-11);
    });
  }
  for (const beta of [-1, 0, 0.5, 1, 1.5, 2, 3]) {
    it(`the Bregman path with φ″ = y^(β−2) equals the β path at β = ${beta}`, () => {
      const p = problem(10, 8, 3, 5);
      for (const mode of ['heuristic', 'mm'] as const) {
        const g = mode === 'mm' ? (beta < 1 ? 1 / (2 - beta) : beta > 2 ? 1 / (beta - 1) : 1) : undefined;
        const a = trajectory(solver(betaDivergence(beta), { mode }), p, 20);
        const b = trajectory(solver(betaDivergence(beta, { exposeBeta: false, mmExponent: g }), { mode }), p, 20);
        expect(maxRelDiff(a.W.data, b.W.data)).toBeLessThan(1e-12);
        expect(maxRelDiff(a.H.data, b.H.data)).toBeLessThan(1e-12);
        expect(maxRelDiff(a.f, b.f)).toBeLessThan(1e-12);
      }
    });
  }
});

describe('mu: invariants', () => {
  it('after a KL H-update the column sums of WH equal those of V; after a W-update the row sums', () => {
    const p = problem(9, 7, 3, 21);
    const sH = solver(betaDivergence(1));
    const stH = sH.init({ ...p, freezeW: true }, new Rng(1));
    sH.step(stH);
    for (let n = 0; n < p.V.cols; n++) {
      let a = 0,
        b = 0;
      for (let f = 0; f < p.V.rows; f++) {
        a += sH.model(stH).get(f, n);
        b += p.V.get(f, n);
      }
      expect(Math.abs(a - b) / b).toBeLessThan(1e-13);
    }
    const sW = solver(betaDivergence(1));
    const stW = sW.init({ ...p, freezeH: true }, new Rng(1));
    sW.step(stW);
    for (let f = 0; f < p.V.rows; f++) {
      let a = 0,
        b = 0;
      for (let n = 0; n < p.V.cols; n++) {
        a += sW.model(stW).get(f, n);
        b += p.V.get(f, n);
      }
      expect(Math.abs(a - b) / b).toBeLessThan(1e-13);
    }
  });

  it('frozen W columns stay bit-identical, the others move; freezeH keeps H', () => {
    const p = problem(10, 9, 4, 2);
    const r = trajectory(solver(betaDivergence(0.5), { freezeW: [0, 2] }), p, 15);
    for (const k of [0, 2]) expect(Array.from(r.W.col(k))).toEqual(Array.from(p.W0!.col(k)));
    for (const k of [1, 3]) expect(maxRelDiff(r.W.col(k), p.W0!.col(k))).toBeGreaterThan(1e-3);
    const h = trajectory(solver(betaDivergence(1)), { ...p, freezeH: true }, 5);
    expect(Array.from(h.H.data)).toEqual(Array.from(p.H0!.data));
    // Problem settings override the solver's parameters.
    const o = trajectory(solver(betaDivergence(1), { freezeW: true }), { ...p, freezeW: [1] }, 5);
    expect(Array.from(o.W.col(1))).toEqual(Array.from(p.W0!.col(1)));
    expect(maxRelDiff(o.W.col(0), p.W0!.col(0))).toBeGreaterThan(1e-3);
  });

  it('an all-ones mask equals no mask (bit for bit on the general path, 1e-12 on the β = 0, 1, 2 fast paths)', () => {
    const p = problem(10, 9, 3, 4);
    const ones = Matrix.filled(10, 9, 1);
    for (const beta of [0.5, 3]) {
      const a = trajectory(solver(betaDivergence(beta)), p, 10);
      const b = trajectory(solver(betaDivergence(beta)), { ...p, mask: ones }, 10);
      expect(Array.from(b.W.data)).toEqual(Array.from(a.W.data));
      expect(b.f).toEqual(a.f);
    }
    // β = 0, 1 take the fused native path (other product shapes) when the addon is built.
    for (const beta of [0, 1, 2]) {
      const a = trajectory(solver(betaDivergence(beta)), p, 10);
      const b = trajectory(solver(betaDivergence(beta)), { ...p, mask: ones }, 10);
      expect(maxRelDiff(a.W.data, b.W.data)).toBeLessThan(1e-12);
      expect(maxRelDiff(a.f, b.f)).toBeLessThan(1e-12);
    }
  });

  it('masked entries do not influence the fit (even zeros or huge values at β = 0)', () => {
    const p = problem(10, 9, 3, 8);
    const mask = Matrix.filled(10, 9, 1);
    const V2 = p.V.clone();
    for (const [i, j] of [
      [0, 0],
      [3, 5],
      [9, 8],
    ] as const) {
      mask.set(i, j, 0);
      V2.set(i, j, i === 3 ? 0 : 1e6);
    }
    for (const beta of [0, 1, 2]) {
      const a = trajectory(solver(betaDivergence(beta)), { ...p, mask }, 12);
      const b = trajectory(solver(betaDivergence(beta)), { ...p, V: V2, mask }, 12);
      expect(Array.from(b.W.data)).toEqual(Array.from(a.W.data));
      expect(Array.from(b.H.data)).toEqual(Array.from(a.H.data));
      expect(b.f).toEqual(a.f);
    }
  });

  it('recovers a low-rank V built from known factors', () => {
    const rng = new Rng(99);
    const Wt = randMatrix(20, 3, rng, 0, 1),
      Ht = randMatrix(3, 15, rng, 0, 1);
    const V = matmul(Wt, Ht);
    const res = fit(solver(betaDivergence(1)), { V, rank: 3 }, new Rng(5), { stopping: { maxIterations: 3000 } });
    const L = matmul(res.result.W, res.result.H);
    let num = 0,
      den = 0;
    for (let i = 0; i < V.data.length; i++) {
      num += (L.data[i] - V.data[i]) ** 2;
      den += V.data[i] ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(1e-3);
    expect(res.increases).toEqual([]);
  });

  it('same seed gives the identical trajectory, different seeds differ', () => {
    const base = problem(10, 9, 3, 1);
    const p = { V: base.V, rank: 3 };
    const run = (seed: number) =>
      fit(solver(betaDivergence(0.5)), p, new Rng(seed), { stopping: { maxIterations: 15 }, restarts: 2 });
    const a = run(3),
      b = run(3),
      c = run(4);
    expect(b.trajectory.map((r) => r.objective)).toEqual(a.trajectory.map((r) => r.objective));
    expect(Array.from(b.result.W.data)).toEqual(Array.from(a.result.W.data));
    expect(c.trajectory[0].objective).not.toEqual(a.trajectory[0].objective);
  });

  it('objective terms: data and each penalty by name, total their sum', () => {
    const s = solver(betaDivergence(1), { regularizers: [lpPenalty('H', 0.1, 1), lpPenalty('W', 0.2, 1.5)] });
    const st = s.init(problem(6, 5, 2, 1), new Rng(1));
    const o = s.objective(st);
    expect(Object.keys(o.terms)).toEqual(['data', 'l1(H)', 'lp(W)']);
    expect(o.total).toBeCloseTo(o.terms.data! + o.terms['l1(H)'] + o.terms['lp(W)'], 12);
  });

  it('normalize auto: a penalty on H alone gives unit-norm W columns, WH unchanged by the rescaling', () => {
    const regs: Regularizer[] = [lpPenalty('H', 0.1, 1)];
    const s = new MuSolver({
      divergence: betaDivergence(1),
      initializer: random,
      regularizers: regs,
      normalize: 'auto',
    });
    const st = s.init(problem(8, 7, 3, 2), new Rng(1));
    s.step(st);
    for (let k = 0; k < 3; k++) {
      const c = st.W.col(k);
      expect(Math.hypot(...c)).toBeCloseTo(1, 12);
    }
    expect(maxRelDiff(matmul(st.W, st.H).data, s.model(st).data)).toBeLessThan(1e-14);
    // Rescaling changes the penalty's value: no monotonicity is claimed then.
    expect(s.monotone).toBe(false);
    expect(new MuSolver({ divergence: betaDivergence(1), regularizers: regs, normalize: 'none' }).monotone).toBe(true);
    expect(new MuSolver({ divergence: betaDivergence(1), normalize: 'auto' }).monotone).toBe(true);
    expect(new MuSolver({ divergence: betaDivergence(3), mode: 'heuristic' }).monotone).toBe(false);
  });
});

describe('mu: ε policy and bad input', () => {
  it('refuses zeros in V for β ≤ 0 with a clear error, accepts them with an offset', () => {
    const p = problem(5, 4, 2, 1);
    p.V.set(1, 2, 0);
    expect(() => solver(betaDivergence(0)).init(p, new Rng(1))).toThrow(NmflabError);
    expect(() => solver(betaDivergence(0)).init(p, new Rng(1))).toThrow(/zero entries.*offset/);
    const { f } = trajectory(solver(betaDivergence(0), { offset: 1e-3 }), p, 10);
    expect(f.every(Number.isFinite)).toBe(true);
    expect(increases(f)).toEqual([]);
  });
  it('zeros in V for β > 0 and zeros in the factors give finite objectives (floors at ε)', () => {
    const p = problem(6, 5, 2, 1);
    p.V.set(0, 0, 0);
    p.W0!.set(1, 1, 0);
    for (const beta of [0.5, 1, 1.5]) {
      const r = trajectory(solver(betaDivergence(beta)), p, 10);
      expect(r.f.every(Number.isFinite)).toBe(true);
      expect(Math.min(...r.W.data)).toBeGreaterThan(0); // floored at ε, not stuck at 0
    }
  });
  // EXPERIMENTS.md §1: MM rose at β = −1 on speech, whose silence sits at the offset 1e-8 < ε.
  it('smallest failing case: one H step on V = 1e-9 (W = 1e-4 frozen, WH = 1.5e-9) rises with Λ floored at ε, falls with the default', () => {
    const p: Problem = {
      V: Matrix.fromRows([[1e-9]]),
      rank: 1,
      W0: Matrix.fromRows([[1e-4]]),
      H0: Matrix.fromRows([[1.5e-5]]),
      freezeW: true,
    };
    for (const beta of [-1, -0.5, 0, 0.5, 1, 1.5, 2, 3]) {
      const f = trajectory(solver(betaDivergence(beta)), p, 1).f;
      expect(f[1], `β = ${beta}`).toBeLessThan(f[0]);
      // The step of modelFloor eps sees Λ = ε > V, so it moves WH down, away from V.
      if (beta <= 1) {
        const g = trajectory(solver(betaDivergence(beta), { modelFloor: 'eps' }), p, 1).f;
        expect(g[1], `β = ${beta}, modelFloor eps`).toBeGreaterThan(g[0]);
      }
    }
  });
  describe('every mm iteration is non-increasing on data below ε (default floors)', () => {
    /** 12×10 rank 3: a silent column and scattered entries at 1e-9 (exact zeros where β > 0 allows), or all data scaled by 1e-9. */
    const lowData = (beta: number, seed: number, scaled: boolean): Problem => {
      const p = problem(12, 10, 3, seed);
      if (scaled) {
        for (const [X, c] of [
          [p.V, 1e-9],
          [p.W0!, 1e-4],
          [p.H0!, 1e-4],
        ] as const)
          for (let i = 0; i < X.data.length; i++) X.data[i] *= c;
        return p;
      }
      const rng = new Rng(seed + 100);
      for (let f = 0; f < 12; f++) p.V.set(f, 0, 1e-9 * (1 + f));
      for (let j = 0; j < 6; j++) p.V.data[rng.int(120)] = j % 2 === 0 && beta > 0 ? 0 : 1e-9;
      return p;
    };
    const mask = (seed: number): Matrix => {
      const rng = new Rng(seed + 200);
      const M = new Matrix(12, 10);
      for (let i = 0; i < M.data.length; i++) M.data[i] = rng.uniform() < 0.2 ? 0 : 0.5 + rng.uniform();
      return M;
    };
    for (const beta of [-1, -0.5, 0, 0.5, 1, 1.5, 2, 3]) {
      it(`β = ${beta}: plain, all data scaled below ε, with a mask, with an Lp penalty (p = 0.5, 1.5) on H`, () => {
        for (const seed of [1, 2]) {
          const runs: [string, MuSolver, Problem][] = [
            ['plain', solver(betaDivergence(beta)), lowData(beta, seed, false)],
            ['scaled', solver(betaDivergence(beta)), lowData(beta, seed, true)],
            ['mask', solver(betaDivergence(beta)), { ...lowData(beta, seed, false), mask: mask(seed) }],
            [
              'lp 0.5',
              solver(betaDivergence(beta), { regularizers: [lpPenalty('H', 1e-3, 0.5)] }),
              lowData(beta, seed, false),
            ],
            [
              'lp 1.5',
              solver(betaDivergence(beta), { regularizers: [lpPenalty('H', 0.05, 1.5), lpPenalty('W', 1e-3, 1)] }),
              lowData(beta, seed, false),
            ],
          ];
          for (const [what, s, p] of runs) {
            const { f } = trajectory(s, p, 200);
            expect(f.every(Number.isFinite), `${what}, seed ${seed}`).toBe(true);
            expect(increases(f), `${what}, seed ${seed}`).toEqual([]);
          }
        }
      });
    }
  });
  it('negative or non-finite data, bad shapes and bad masks are NmflabErrors naming the place', () => {
    const p = problem(5, 4, 2, 1);
    const bad = p.V.clone();
    bad.set(2, 3, -1);
    expect(() => solver(betaDivergence(1)).init({ ...p, V: bad }, new Rng(1))).toThrow(/V\[2\]\[3\].*non-negative/);
    expect(() => solver(betaDivergence(1)).init({ ...p, W0: new Matrix(4, 2) }, new Rng(1))).toThrow(
      /W0 has the wrong shape/,
    );
    expect(() => solver(betaDivergence(1)).init({ ...p, mask: new Matrix(2, 2) }, new Rng(1))).toThrow(/mask shape/);
    expect(() => solver(betaDivergence(1)).init({ ...p, freezeW: [5] }, new Rng(1))).toThrow(/frozen column/);
  });
});

describe('mu with the registered plugins', async () => {
  const { buildRegistry } = await import('../../../../test/support/registry.js');
  const registry = await buildRegistry();
  const make = (params: Record<string, unknown>) =>
    registry.create('solver', { id: 'mu', params: { normalize: 'none', ...params } }) as MuSolver;

  it('the beta plugin gives the same iterates as the test oracle (β = 0.5, 1, 2)', () => {
    const p = problem(10, 9, 3, 6);
    for (const beta of [0.5, 1, 2]) {
      const a = trajectory(make({ divergence: { id: 'beta', params: { beta } } }), p, 15);
      const b = trajectory(solver(betaDivergence(beta)), p, 15);
      expect(maxRelDiff(a.W.data, b.W.data)).toBeLessThan(1e-12);
      expect(maxRelDiff(a.f, b.f)).toBeLessThan(1e-10);
    }
  });
  it("a divergence's own ε (d(V+ε|WH+ε)) is a constant component: IS with zeros in V stays monotone", () => {
    const p = problem(8, 7, 2, 3);
    p.V.set(0, 0, 0);
    p.V.set(4, 2, 0);
    const { f } = trajectory(make({ divergence: { id: 'is', params: { eps: 1e-3 } } }), p, 40);
    expect(f.every(Number.isFinite)).toBe(true);
    expect(increases(f)).toEqual([]);
  });
  it('with the registered l1/l2/lp regularizers the mm objective never increases (KL with p = 1.5 included)', () => {
    const p = problem(10, 9, 3, 12);
    for (const beta of [0, 1, 1.5, 3]) {
      const regularizers = [
        { id: 'lp', params: { p: 1.5, lambda: 0.3, target: 'H' } },
        { id: 'l1', params: { lambda: 0.05, target: 'W' } },
        { id: 'l2', params: { lambda: 0.1, target: 'W' } },
      ];
      const s = make({ divergence: { id: 'beta', params: { beta } }, regularizers });
      const { f } = trajectory(s, p, 30);
      expect(increases(f)).toEqual([]);
      const o = s.objective(s.init(p, new Rng(1)));
      expect(Object.keys(o.terms)).toEqual(['data', 'lp(H)', 'l1(W)', 'l2(W)']);
    }
    const one: Problem = {
      V: Matrix.fromRows([[100]]),
      rank: 1,
      W0: Matrix.fromRows([[1]]),
      H0: Matrix.fromRows([[1e-3]]),
      freezeW: true,
    };
    const reg = [{ id: 'lp', params: { p: 1.5, lambda: 5, target: 'H' } }];
    expect(trajectory(make({ divergence: 'kl', regularizers: reg }), one, 1).f[1]).toBeCloseTo(407.3, 1);
    expect(trajectory(make({ divergence: 'kl', regularizers: reg, mode: 'heuristic' }), one, 1).f[1]).toBeCloseTo(
      3635.6,
      1,
    );
  });
  it('the bregman plugin with φ = y^β/(β(β−1)) follows the β path', () => {
    const p = problem(8, 7, 2, 13);
    const a = trajectory(
      make({ divergence: { id: 'bregman', params: { phi: 'y^0.5/(0.5*(0.5-1))' } }, mode: 'heuristic' }),
      p,
      10,
    );
    const b = trajectory(solver(betaDivergence(0.5), { mode: 'heuristic' }), p, 10);
    expect(maxRelDiff(a.W.data, b.W.data)).toBeLessThan(1e-10);
    expect(maxRelDiff(a.f, b.f)).toBeLessThan(1e-9);
  });
  it('a dual divergence is refused with a clear error', () => {
    expect(() => make({ divergence: { id: 'beta', params: { beta: 1, dual: true } } })).toThrow(
      /has no multiplicative update.*dual/,
    );
  });
});

describe('mu: fast paths against the straightforward formulas (one code path for correctness)', () => {
  // Small, so 200 iterations stay fast; `native` forces every product through OpenBLAS (and the
  // element-wise passes through C) whatever its size, when the optional addon is built.
  const [F, N, K] = [24, 40, 4];
  const p = problem(F, N, K, 11);
  // The same data with digital silence: a column and a few entries at 1e-9, below ε (the floors' cases).
  const pLow: Problem = { ...p, V: p.V.clone() };
  for (let f = 0; f < F; f++) pLow.V.set(f, 0, 1e-9);
  for (const [f, n] of [
    [3, 5],
    [7, 11],
    [20, 33],
  ] as const)
    pLow.V.set(f, n, 1e-9);
  const eps = 1.1920928955078125e-7;
  const delta = eps * eps; // the floor of Λ (modelFloor eps2)

  /** Textbook MU(mm) with Math.pow everywhere, plain loops and the JS product kernel. */
  function reference(beta: number, iters: number, p: Problem): { W: Matrix; H: Matrix; f: number } {
    const prev = setMatmulBackend('js');
    const V = p.V,
      W = p.W0!.clone(),
      H = p.H0!.clone();
    const gamma = beta < 1 ? 1 / (2 - beta) : beta > 2 ? 1 / (beta - 1) : 1;
    const div = betaDivergence(beta);
    const A = new Matrix(F, N),
      B = new Matrix(F, N);
    const weights = (L: Matrix) => {
      for (let i = 0; i < L.data.length; i++) {
        const l = L.data[i],
          lf = Math.max(l, delta);
        A.data[i] = V.data[i] * Math.pow(beta - 2 < 0 ? lf : l, beta - 2);
        B.data[i] = Math.pow(beta - 1 < 0 ? lf : l, beta - 1);
      }
    };
    const update = (X: Matrix, num: Matrix, den: Matrix) => {
      for (let i = 0; i < X.data.length; i++) {
        const d = den.data[i];
        X.data[i] = Math.max(X.data[i] * Math.pow(num.data[i] / (d > 0 ? d : eps), gamma), eps);
      }
    };
    let L = matmul(W, H);
    for (let it = 0; it < iters; it++) {
      weights(L);
      update(W, matmulNT(A, H), matmulNT(B, H));
      L = matmul(W, H);
      weights(L);
      update(H, matmulTN(W, A), matmulTN(W, B));
      L = matmul(W, H);
    }
    setMatmulBackend(prev);
    return { W, H, f: div.value(V.data, L.data) };
  }

  const backends = ['js', 'wasm', 'auto', ...(nativeAvailable ? (['native'] as const) : [])] as const;
  for (const [beta, data] of [
    [2, p],
    [1, p],
    [0, p],
    [0.5, p],
    [1, pLow],
    [0, pLow],
    [0.5, pLow],
  ] as const) {
    const what = data === pLow ? ' (entries below ε)' : '';
    it(`β = ${beta}${what}: 200 iterations on every backend (${backends.join(', ')}) agree with the formulas to 1e-9`, () => {
      const p = data;
      const ref = reference(beta, 200, p);
      for (const b of backends) {
        const prev = setMatmulBackend(b);
        const s = solver(betaDivergence(beta));
        const st = s.init(p, new Rng(1));
        for (let i = 0; i < 200; i++) s.step(st);
        const got = { f: s.objective(st).terms.data!, ...s.result(st) };
        setMatmulBackend(prev);
        expect(Math.abs(got.f - ref.f) / ref.f, `${b} objective`).toBeLessThan(1e-9);
        expect(maxRelDiff(got.W.data, ref.W.data), `${b} W`).toBeLessThan(1e-9);
        expect(maxRelDiff(got.H.data, ref.H.data), `${b} H`).toBeLessThan(1e-9);
      }
    });
  }

  it('the js and wasm backends give bit-identical trajectories (same summation order)', () => {
    for (const beta of [1, 0]) {
      const runs = (['js', 'wasm'] as const).map((b) => {
        const prev = setMatmulBackend(b);
        const r = trajectory(solver(betaDivergence(beta)), p, 20);
        setMatmulBackend(prev);
        return r;
      });
      expect(Array.from(runs[1].W.data)).toEqual(Array.from(runs[0].W.data));
      expect(runs[1].f).toEqual(runs[0].f);
    }
  });

  it('js and wasm stay bit-identical when the fused WASM path cuts Λ into several blocks', () => {
    // 130×1500: the W side takes 64 rows × 512 columns of Λ at a time (its reduction over N
    // accumulated in 3 chunks), the H side 252 columns (256 KiB blocks), each with a shorter last block.
    const big = problem(130, 1500, 6, 3);
    for (const beta of [1, 0]) {
      const runs = (['js', 'wasm'] as const).map((b) => {
        const prev = setMatmulBackend(b);
        const r = trajectory(solver(betaDivergence(beta)), big, 3);
        setMatmulBackend(prev);
        return r;
      });
      expect(Array.from(runs[1].W.data)).toEqual(Array.from(runs[0].W.data));
      expect(Array.from(runs[1].H.data)).toEqual(Array.from(runs[0].H.data));
      expect(runs[1].f).toEqual(runs[0].f);
    }
  });

  it.skipIf(!nativeAvailable)(
    'native: same results for 1 and 2 OpenBLAS threads (splits never cut the reduction)',
    () => {
      const threads = nativeThreads();
      const runs = [1, 2].map((t) => {
        setNativeThreads(t);
        const prev = setMatmulBackend('native');
        const r = trajectory(solver(betaDivergence(1)), problem(300, 700, 20, 5), 3);
        setMatmulBackend(prev);
        return r;
      });
      setNativeThreads(threads);
      expect(Array.from(runs[1].W.data)).toEqual(Array.from(runs[0].W.data));
      expect(runs[1].f).toEqual(runs[0].f);
    },
  );

  it('keeps every matrix of the state in one WebAssembly memory (products in place, no copies)', () => {
    const s = solver(betaDivergence(1));
    const st = s.init(p, new Rng(1));
    const mats = [st.V, st.W, st.H, st.L, st.A, st.B, st.numW, st.denW, st.numH, st.denH, st.gram];
    expect(mats.every((m) => m.data.buffer === st.V.data.buffer)).toBe(true);
    // result() returns copies, not views into the workspace memory.
    expect(s.result(st).W.data.buffer).not.toBe(st.V.data.buffer);
  });
});

describe('mu objective without a full Λ pass, and its kernels as a service', () => {
  /** The objective as computed before: Σ d(V|WH) from a fresh WH on the JS kernel. */
  const direct = (div: Divergence, V: Matrix, W: Matrix, H: Matrix) => {
    const prev = setMatmulBackend('js');
    try {
      return div.value(V.data, matmul(W, H).data);
    } finally {
      setMatmulBackend(prev);
    }
  };
  const backends = ['js', 'wasm', ...(nativeAvailable ? (['native'] as const) : [])] as const;
  const cases: [string, Partial<MuOptions>, Partial<Problem>][] = [
    ['plain', {}, {}],
    ['frozen H', { freezeH: true }, {}],
    ['frozen W', { freezeW: true }, {}],
    ['two frozen columns', { freezeW: [0, 2] }, {}],
    ['l2 rescaling (no numerator matches: direct)', { normalize: 'l2' }, {}],
  ];
  for (const [name, o, extra] of cases) {
    it(`β = 2 by the Gram identity equals Σ d(V|WH) to 1e-12 every iteration (${name}; ${backends.join(', ')})`, () => {
      const p = problem(30, 70, 5, 21, extra);
      const div = betaDivergence(2);
      for (const b of backends) {
        const s = solver(div, { ...o, kernels: selectKernels(b).mu });
        const st = s.init(p, new Rng(1));
        for (let it = 0; it <= 30; it++) {
          if (it > 0) s.step(st);
          const got = s.objective(st).terms.data!;
          const r = s.result(st);
          const want = direct(div, p.V, r.W, r.H);
          expect(Math.abs(got - want) / want, `${b} iteration ${it}`).toBeLessThan(1e-12);
        }
      }
    });
  }
  it('β = 2 on data the model fits almost exactly still matches the direct sum (cancellation guard)', () => {
    const rng = new Rng(5);
    const W0 = randMatrix(20, 3, rng),
      H0 = randMatrix(3, 40, rng);
    const V = matmul(W0, H0);
    const W = W0.clone(),
      H = H0.clone();
    for (let i = 0; i < W.data.length; i++) W.data[i] *= 1 + 1e-5 * Math.sin(i);
    const div = betaDivergence(2);
    const s = solver(div);
    const st = s.init({ V, rank: 3, W0: W, H0: H }, new Rng(1));
    for (let it = 0; it < 10; it++) {
      s.step(st);
      const r = s.result(st);
      const want = direct(div, V, r.W, r.H);
      expect(Math.abs(s.objective(st).terms.data! - want)).toBeLessThanOrEqual(1e-12 * want);
    }
  });
  it('takes its kernels from ctx.kernels: a user backend wrapping js is the one called', async () => {
    const { buildRegistry } = await import('../../../../test/support/registry.js');
    const registry = await buildRegistry();
    const js = selectKernels('js');
    let products = 0;
    const mu: MuKernels = {
      ...js.mu,
      matmul: (A, B, out) => {
        products++;
        return js.mu.matmul(A, B, out);
      },
    };
    const kernels: KernelBackend = { name: 'js', mu };
    const def = registry.get('solver', 'mu');
    const ref = registry.validate('solver', { id: 'mu', params: { divergence: 'kl' } }).ref!;
    const s = def.create(ref.params as never, { registry, path: 'model', kernels }) as MuSolver;
    const p = problem(12, 15, 3, 2);
    const st = s.init(p, new Rng(1));
    s.step(st);
    expect(products).toBeGreaterThan(0);
    // The same iterate as mu on core's js backend.
    const t = solver(betaDivergence(1), { normalize: 'auto', kernels: js.mu });
    const st2 = t.init(p, new Rng(1));
    t.step(st2);
    expect(Array.from(s.result(st).W.data)).toEqual(Array.from(t.result(st2).W.data));
  });
});

describe('mu β = 1 / β = 0 objective from the fused pass', () => {
  const direct = (div: Divergence, V: Matrix, W: Matrix, H: Matrix) => {
    const prev = setMatmulBackend('js');
    try {
      return div.value(V.data, matmul(W, H).data);
    } finally {
      setMatmulBackend(prev);
    }
  };
  const backends = ['js', 'wasm', ...(nativeAvailable ? (['native'] as const) : [])] as const;
  const p = problem(40, 300, 5, 31);
  const pLow: Problem = { ...p, V: p.V.clone() };
  for (let f = 0; f < 40; f++) pLow.V.set(f, 0, 1e-9);
  for (const beta of [1, 0]) {
    for (const [name, o, data] of [
      ['plain', {}, p],
      ['entries below ε', {}, pLow],
      ['frozen W', { freezeW: true }, p],
      ['frozen H', { freezeH: true }, p],
    ] as [string, Partial<MuOptions>, Problem][]) {
      it(`β = ${beta} (${name}): equals Σ d(V|WH) to 1e-12 every iteration and leaves the iterates bit-identical (${backends.join(', ')})`, () => {
        const div = betaDivergence(beta);
        for (const b of backends) {
          const kernels = selectKernels(b).mu;
          const s = solver(div, { ...o, kernels });
          const st = s.init(data, new Rng(1));
          // The same solver never asked for its objective: the iterates of the plain updates.
          const t = solver(div, { ...o, kernels });
          const st2 = t.init(data, new Rng(1));
          let fusedUsed = 0;
          for (let it = 0; it <= 25; it++) {
            if (it > 0) {
              s.step(st);
              t.step(st2);
            }
            const got = s.objective(st).terms.data!;
            if (st.pre !== -1) fusedUsed++;
            expect(s.objective(st).terms.data, 'asked twice').toBe(got);
            const r = s.result(st);
            const want = direct(div, data.V, r.W, r.H);
            expect(Math.abs(got - want) / want, `${b} iteration ${it}`).toBeLessThan(1e-12);
          }
          expect(Array.from(s.result(st).W.data), b).toEqual(Array.from(t.result(st2).W.data));
          expect(Array.from(s.result(st).H.data), b).toEqual(Array.from(t.result(st2).H.data));
          // The model is still WH after the fused objective wrote over Λ's buffer.
          if (b !== 'js') expect(fusedUsed, `${b}: the fused objective was used`).toBeGreaterThan(20);
          expect(maxRelDiff(s.model(st).data, matmul(st.W, st.H).data)).toBeLessThan(1e-12);
        }
      });
    }
  }
});

describe('mu memory: no F×N buffer the path does not use', () => {
  const p = problem(30, 80, 4, 41);
  it('the β = 2 and fused β = 1 / β = 0 paths keep only V at F×N; the unfused paths keep Λ and the weights', () => {
    for (const beta of [2, 1, 0]) {
      const s = solver(betaDivergence(beta));
      const st = s.init(p, new Rng(1));
      expect(
        [st.L, st.A, st.B].map((m) => m.data.length),
        `β = ${beta}`,
      ).toEqual([0, 0, 0]);
      expect(st.S.data.length).toBeLessThan(30 * 80 + 1);
    }
    const st = solver(betaDivergence(0.5)).init(p, new Rng(1));
    expect([st.L, st.A, st.B].map((m) => m.data.length)).toEqual([30 * 80, 30 * 80, 30 * 80]);
  });
  it('when the fused pass refuses its operands (matrices outside WASM memory, as beyond 4 GiB) the updates fall back, bit-identical to js', () => {
    const wasm = selectKernels('wasm').mu;
    const plainAlloc: MuKernels = { ...wasm, allocate: selectKernels('js').mu.allocate };
    for (const beta of [1, 0]) {
      const a = trajectory(solver(betaDivergence(beta), { kernels: plainAlloc }), p, 8);
      const b = trajectory(solver(betaDivergence(beta), { kernels: selectKernels('js').mu }), p, 8);
      expect(Array.from(a.W.data)).toEqual(Array.from(b.W.data));
      expect(Array.from(a.H.data)).toEqual(Array.from(b.H.data));
      expect(a.f).toEqual(b.f);
    }
  });
});
