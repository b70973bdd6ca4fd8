import { describe, expect, it } from 'vitest';
import { auditTrajectory } from '../../src/tasks/monotonicity.js';
import { runReduced } from '../support/experiment.js';

const rows = (f: number[]) =>
  f.map((objective, iteration) => ({ iteration, objective, terms: {}, seconds: iteration / 10 }));

describe('monotonicity task', () => {
  it('counts rises above the tolerance and finds the first iterate near the final value', () => {
    const a = auditTrajectory(rows([10, 5, 6, 4, 4 * (1 + 1e-14), 3, 3]), 1e-12, 1e-3);
    expect(a.increases).toBe(1); // the 1e-14 rise is rounding
    expect(a.maxRelativeIncrease).toBeCloseTo(0.2, 12);
    expect(a.iterationsToTarget).toBe(5);
    expect(a.secondsToTarget).toBeCloseTo(0.5, 12);
    expect(auditTrajectory(rows([3, 2, 1]), 0, 1e-3).increases).toBe(0);
  });

  it('experiment 1 (reduced: β ∈ {0, 1, 3} on a 40×30 random matrix, ≤ 300 iterations): MM never increases; γ = 1 for β = 1 makes both modes one algorithm; outside [1, 2] the heuristic reaches the tolerance sooner', async () => {
    const runs = await runReduced(
      'experiments/monotonicity-random.yaml',
      [
        'model.stopping.maxIterations=300',
        'data.params.rows=40',
        'data.params.cols=30',
        'model.rank=4',
        'sweep.seeds=1',
      ],
      ['model.solver.params.divergence.params.beta=[0,1,3]'],
    );
    expect(runs.length).toBe(6);
    const get = (beta: number, mode: string) =>
      runs.find(
        (r) =>
          r.record.varied['model.solver.params.divergence.params.beta'] === beta &&
          r.record.varied['model.solver.params.mode'] === mode,
      )!;
    for (const r of runs) expect(r.record.status).toBe('completed');
    for (const beta of [0, 1, 3]) {
      const mm = get(beta, 'mm');
      expect(mm.metrics.increases).toBe(0);
      expect(mm.metrics['flagged-increases']).toBe(0);
    }
    expect(get(1, 'heuristic').metrics.objective).toBe(get(1, 'mm').metrics.objective);
    for (const beta of [0, 3])
      expect(get(beta, 'heuristic').metrics['iterations-to-target']).toBeLessThan(
        get(beta, 'mm').metrics['iterations-to-target'],
      );
  });
});
