import { describe, expect, it } from 'vitest';
import { Matrix, Rng, fit, type Problem, type Solver } from '@nmflab/core';

/** A toy solver: f(x) = x², step halves x (or, with `bump`, doubles it once at iteration 3). */
function toy(bump = false): Solver<{ x: number; k: number; W: Matrix; H: Matrix }> {
  return {
    id: 'toy',
    monotone: true,
    init: (_p: Problem, rng: Rng) => ({ x: 1 + rng.uniform(), k: 0, W: new Matrix(1, 1), H: new Matrix(1, 1) }),
    step: (s) => {
      s.k++;
      s.x = bump && s.k === 3 ? s.x * 2 : s.x / 2;
      s.W.data[0] = s.x;
    },
    objective: (s) => ({ total: s.x * s.x, terms: { data: s.x * s.x } }),
    result: (s) => ({ W: s.W, H: s.H }),
  };
}
const problem: Problem = { V: new Matrix(1, 1), rank: 1 };

describe('fit loop', () => {
  it('records iteration 0 and every iteration, and stops at maxIterations', () => {
    const r = fit(toy(), problem, new Rng(1), { stopping: { maxIterations: 5 } });
    expect(r.trajectory.map((t) => t.iteration)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.stopReason).toBe('max-iterations');
    expect(r.increases).toEqual([]);
  });
  it('flags an increase of a monotone solver', () => {
    const r = fit(toy(true), problem, new Rng(1), { stopping: { maxIterations: 5 } });
    expect(r.increases.map((i) => i.iteration)).toEqual([3]);
  });
  it('stops on relative objective decrease over a window', () => {
    const r = fit(toy(), problem, new Rng(1), { stopping: { maxIterations: 1000, tol: 1e-6, window: 5 } });
    expect(r.stopReason).toBe('objective-tolerance');
    expect(r.iterations % 5).toBe(0);
    expect(r.iterations).toBeLessThan(40);
  });
  it('stops when aborted', () => {
    const ac = new AbortController();
    const r = fit(toy(), problem, new Rng(1), {
      stopping: { maxIterations: 100 },
      signal: ac.signal,
      onIteration: (row) => row.iteration === 2 && ac.abort(),
    });
    expect(r.stopReason).toBe('interrupted');
    expect(r.iterations).toBe(2);
  });
  it('keeps the best of several restarts, each from its own seed', () => {
    const r = fit(toy(), problem, new Rng(1), { stopping: { maxIterations: 3 }, restarts: 4 });
    expect(r.restartObjectives).toHaveLength(4);
    expect(r.trajectory.at(-1)!.objective).toBe(Math.min(...r.restartObjectives));
    expect(new Set(r.restartObjectives).size).toBe(4);
  });
});
