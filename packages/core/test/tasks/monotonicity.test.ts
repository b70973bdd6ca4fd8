import { describe, expect, it } from 'vitest';
import { auditTrajectory } from '../../src/tasks/monotonicity.js';
import { runShrunk } from './run-experiment.js';

const rows = (f: number[]) => f.map((objective, iteration) => ({ iteration, objective, terms: {}, seconds: iteration / 10 }));

describe('monotonicity task', () => {
  it('counts rises above the tolerance and finds the first iterate near the final value', () => {
    const a = auditTrajectory(rows([10, 5, 6, 4, 4 * (1 + 1e-14), 3, 3]), 1e-12, 1e-3);
    expect(a.increases).toBe(1); // the 1e-14 rise is rounding
    expect(a.maxRelativeIncrease).toBeCloseTo(0.2, 12);
    expect(a.iterationsToTarget).toBe(5);
    expect(a.secondsToTarget).toBeCloseTo(0.5, 12);
    expect(auditTrajectory(rows([3, 2, 1]), 0, 1e-3).increases).toBe(0);
  });

  it('experiment 1 (reduced: β ∈ {−1, 0, 3} on random data, 60 iterations): MM never increases; the heuristic β = −1 update does', async () => {
    const { runs } = await runShrunk(
      'monotonicity-random.yaml',
      ['model.stopping.maxIterations=60', 'data.params.rows=40', 'data.params.cols=30', 'model.rank=5', 'sweep.seeds=1'],
      ['model.solver.params.divergence.params.beta=[-1,0,3]'],
    );
    expect(runs.length).toBe(6);
    for (const r of runs) expect(r.record.status).toBe('completed');
    const mm = runs.filter((r) => r.record.varied['model.solver.params.mode'] === 'mm');
    const heur = runs.filter((r) => r.record.varied['model.solver.params.mode'] === 'heuristic');
    for (const r of mm) {
      expect(r.metrics.increases).toBe(0);
      expect(r.metrics['flagged-increases']).toBe(0);
    }
    const h1 = heur.find((r) => r.record.varied['model.solver.params.divergence.params.beta'] === -1)!;
    expect(h1.metrics.increases).toBeGreaterThan(0);
  });
});
