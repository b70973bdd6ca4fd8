import { expect } from 'vitest';
import { Matrix, Rng, fit, type Problem, type Solver } from '@nmflab/core';
import type { KindChecks } from './index.js';

/** A small strictly positive problem: V 10×8 = W·H + noise, rank 3. */
function sample(): Problem {
  const rng = new Rng(7);
  const V = new Matrix(10, 8);
  rng.fillUniform(V.data, 0.1, 2);
  return { V, rank: 3 };
}

/** Every solver, with its defaults: a few iterations give finite objectives, non-increasing when
 * the solver declares itself monotone, and bit-identical runs for the same seed. */
export const solverChecks: KindChecks = (plugin, registry) => [
  {
    name: 'runs a few iterations with finite objectives, monotone when declared, reproducible per seed',
    run: () => {
      const make = () => registry.create('solver', { id: plugin.meta.id, params: {} }) as Solver;
      const p = sample();
      const a = fit(make(), p, new Rng(3), { stopping: { maxIterations: 12 } });
      const b = fit(make(), p, new Rng(3), { stopping: { maxIterations: 12 } });
      expect(a.iterations).toBe(12);
      for (const r of a.trajectory) expect(Number.isFinite(r.objective)).toBe(true);
      if (make().monotone) expect(a.increases).toEqual([]);
      expect(b.trajectory.map((r) => r.objective)).toEqual(a.trajectory.map((r) => r.objective));
      expect(Array.from(b.result.W.data)).toEqual(Array.from(a.result.W.data));
      expect(Array.from(b.result.H.data)).toEqual(Array.from(a.result.H.data));
      expect([a.result.W.rows, a.result.W.cols, a.result.H.rows, a.result.H.cols]).toEqual([10, 3, 3, 8]);
    },
  },
];
