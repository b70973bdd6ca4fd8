import { describe, expect, it } from 'vitest';
import { peakHz, stretchColumn } from '../../src/tasks/transpose.js';
import { runReduced } from '../support/experiment.js';

describe('transpose', () => {
  it('stretching a spectrum moves a peak from bin b to b·r; the parabolic peak finds a sampled Gaussian exactly', () => {
    const w = Float64Array.from({ length: 513 }, (_, f) => Math.exp(-0.5 * ((f - 200.3) / 2) ** 2));
    const r = 2 ** (-1 / 12);
    expect(peakHz(stretchColumn(w, r), 1, 150, 250)).toBeCloseTo(200.3 * r, 1);
    expect(peakHz(w, 7.8125, 1000, 2000)).toBeCloseTo(200.3 * 7.8125, 6);
  });

  it('experiment 13 (reduced: 3 s, 60 iterations, 5 Griffin–Lim iterations): G removed by > 20 dB, kept alone, moved a semitone down', async () => {
    const runs = await runReduced('experiments/transposition.yaml', [
      'task.params.seconds=3',
      'model.stopping.maxIterations=60',
      'model.restarts=1',
      'task.params.griffinLimIterations=5',
    ]);
    const m = runs[0].metrics;
    expect(runs[0].record.status).toBe('completed');
    expect(m['removed.f0-band-drop-db']).toBeGreaterThan(20);
    expect(m['kept.f0-band-loss-db']).toBeLessThan(1);
    expect(m['kept.other-notes-min-drop-db']).toBeGreaterThan(10);
    // within a third of a semitone of 2^(−1/12), far from no shift (1) and from two semitones
    expect(Math.abs(Math.log2(m['transposed.f0-ratio'] / m['transposed.expected-ratio']) * 12)).toBeLessThan(1 / 3);
  });
});
