import { describe, expect, it } from 'vitest';
import { Matrix } from '@nmflab/core';
import { hoyer } from '../../src/tasks/compare-complex.js';
import { runShrunk } from './run-experiment.js';

describe('compare-complex', () => {
  it('Hoyer sparseness: 1 for a single spike, 0 for a constant row', () => {
    expect(hoyer(new Matrix(1, 4, Float64Array.from([0, 3, 0, 0])))).toBeCloseTo(1, 12);
    expect(hoyer(new Matrix(1, 4, Float64Array.from([2, 2, 2, 2])))).toBeCloseTo(0, 12);
  });

  it('experiment 8 (reduced: 1 s, 25 iterations, λ = 0): both models separate the tones; the ideal ratio mask bounds the masked magnitude model', async () => {
    const { runs } = await runShrunk('complex-nmf.yaml', ['data.params.seconds=1', 'model.stopping.maxIterations=25', 'sweep.seeds=1'], ['model.solver.params.lambda=[0]']);
    const m = runs[0]!.metrics as unknown as Record<string, number>;
    expect(runs[0]!.record.status).toBe('completed');
    expect(m['complex.mean-sdr']).toBeGreaterThan(3);
    expect(m['magnitude.mean-sdr']).toBeGreaterThan(3);
    expect(m['oracle-irm.mean-sdr']).toBeGreaterThan(m['magnitude.mean-sdr']!);
    expect((runs[0]!.extra.sharedPartials as { hz: number }[])[0]!.hz).toBeCloseTo(660, 9);
  });
});
