import { describe, expect, it } from 'vitest';
import { Matrix, Stft } from '@nmflab/core';
import { activityStart, balancedAssignment, hoyer } from '../../src/tasks/compare-complex.js';
import { runReduced } from '../support/experiment.js';

describe('compare-complex', () => {
  it('Hoyer sparseness: 1 for a single spike, 0 for a constant row', () => {
    expect(hoyer(new Matrix(1, 4, Float64Array.from([0, 3, 0, 0])))).toBeCloseTo(1, 12);
    expect(hoyer(new Matrix(1, 4, Float64Array.from([2, 2, 2, 2])))).toBeCloseTo(0, 12);
  });

  it('experiment 8 (reduced: 1 s, 25 iterations, λ = 0): both models separate the tones; the ideal ratio mask bounds the masked magnitude model', async () => {
    const runs = await runReduced(
      'experiments/complex-nmf.yaml',
      ['data.params.seconds=1', 'model.stopping.maxIterations=25', 'sweep.seeds=1'],
      ['model.solver.params.lambda=[0]'],
    );
    const m = runs[0].metrics as unknown as Record<string, number>;
    expect(runs[0].record.status).toBe('completed');
    expect(m['complex.mean-sdr']).toBeGreaterThan(3);
    expect(m['magnitude.mean-sdr']).toBeGreaterThan(3);
    expect(m['oracle-irm.mean-sdr']).toBeGreaterThan(m['magnitude.mean-sdr']);
    expect((runs[0].extra.sharedPartials as { hz: number }[])[0].hz).toBeCloseTo(660, 9);
  });

  it('balanced grouping: K/n components per source with the largest total similarity, even when one source is closest to all', () => {
    // every component is closest to source 0; the best 2:2 split gives 0 the two with the largest margin
    const sim = [
      [0.9, 0.1],
      [0.8, 0.7],
      [0.95, 0.2],
      [0.6, 0.5],
    ];
    expect(balancedAssignment(sim, 2)).toEqual([0, 1, 0, 1]);
    expect(
      balancedAssignment(
        [
          [0.1, 0.9, 0.2],
          [0.9, 0.1, 0.3],
          [0.3, 0.2, 0.8],
        ],
        3,
      ),
    ).toEqual([1, 0, 2]);
  });

  it('activity start: a component’s activations are 0 exactly in the frames whose window misses its source’s intervals', () => {
    const tr = new Stft({ sampleRate: 1000, frameLength: 64, hop: 16 });
    const N = tr.frameCount(1000);
    const H0 = activityStart(
      tr,
      N,
      4,
      ['a', 'b'],
      {
        a: [[0, 0.5]],
        b: [
          [0.25, 0.3],
          [0.9, 1],
        ],
      },
      2,
    );
    for (let k = 0; k < 4; k++) {
      for (let m = 0; m < N; m++) {
        const from = m * 16 - 32;
        const to = from + 64;
        const hit = (x: number, y: number) => from < y * 1000 && to > x * 1000;
        const on = k < 2 ? hit(0, 0.5) : hit(0.25, 0.3) || hit(0.9, 1);
        expect(H0.data[k * N + m]).toBe(on ? 2 : 0);
      }
    }
  });

  // Only what held in every reduced run tried (5 seeds × both phase settings): complex NMF's SDR
  // beat the masked model's in 2 of those 10, so the SDR ordering is not asserted.
  it('experiment 8, octave (reduced: 1 s, 60 iterations, 1 restart, opposite phases): complex NMF’s estimates add up to the mixture; its artifacts (SAR) are worse than the masked magnitude model’s', async () => {
    const runs = await runReduced(
      'experiments/complex-nmf-octave.yaml',
      [
        'data.params.seconds=1',
        'model.stopping.maxIterations=60',
        'model.restarts=1',
        'sweep.seeds=1',
        'outputs.factors=false',
      ],
      ['data.params.sharedPhase=[opposite]'],
    );
    expect(runs.map((r) => r.record.status)).toEqual(['completed']);
    for (const r of runs) {
      const m = r.metrics as unknown as Record<string, number & number[]>;
      const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
      expect(m['complex.sum-error']).toBeLessThan(1e-9);
      expect(r.extra.complexGrouping).toEqual([0, 1]); // fixed by the design
      expect(mean(m['complex.sar'])).toBeLessThan(mean(m['magnitude.sar']));
    }
  });
});
