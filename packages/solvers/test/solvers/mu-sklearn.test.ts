import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Matrix, Rng, fit } from '@nmflab/core';
import { MuSolver } from '@nmflab/solvers';
import { betaDivergence } from '../support/oracles.js';

/**
 * Parity with scikit-learn's NMF(solver='mu') (fixture generated offline by
 * scripts/make-sklearn-mu-fixture.py). What had to be aligned: nothing in the solver — the
 * reference script feeds V itself as sklearn's X, so sklearn's W/H are ours and both update W
 * first, then H; sklearn's ε (float32 eps on WH, denominators at 0) and its hard zeros below float64
 * eps never act on this strictly positive problem, which `factorFloor` eps/zero both respect.
 */
const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn-mu-trajectories.json', import.meta.url), 'utf8')) as {
  V: number[][];
  W0: number[][];
  H0: number[][];
  rank: number;
  iterations: number;
  trajectories: Record<string, number[]>;
};

describe('mu agrees with scikit-learn (mm mode)', () => {
  for (const [b, ref] of Object.entries(fx.trajectories)) {
    const beta = Number(b);
    it(`β = ${beta}: every iteration of the objective within 1e-9 relative`, () => {
      const s = new MuSolver({ divergence: betaDivergence(beta), mode: 'mm', normalize: 'none' });
      const res = fit(
        s,
        { V: Matrix.fromRows(fx.V), rank: fx.rank, W0: Matrix.fromRows(fx.W0), H0: Matrix.fromRows(fx.H0) },
        new Rng(0),
        {
          stopping: { maxIterations: fx.iterations },
        },
      );
      const ours = res.trajectory.map((r) => r.objective);
      expect(ours.length).toBe(ref.length);
      const rel = ours.map((f, i) => Math.abs(f - ref[i]) / Math.abs(ref[i]));
      expect(Math.max(...rel)).toBeLessThan(1e-9);
      expect(res.increases).toEqual([]);
    });
  }
});
