import { describe, expect, it } from 'vitest';
import { Matrix } from '@nmflab/core';
import { highBandScores } from '../../src/tasks/extend-band.js';
import { runReduced } from '../support/experiment.js';

describe('extend-band', () => {
  it('scores: a perfect high band has LSD 0, an empty one SNR 0 dB; the low band is not scored', () => {
    const ref = new Matrix(
      8,
      5,
      Float64Array.from({ length: 40 }, (_, i) => 1 + (i % 7)),
    );
    expect(highBandScores(ref, ref, 4).lsd).toBe(0);
    const empty = new Matrix(8, 5);
    for (let i = 0; i < 20; i++) empty.data[i] = ref.data[i];
    expect(highBandScores(ref, empty, 4).snr).toBe(0);
    const wrongLow = new Matrix(8, 5, ref.data.slice());
    wrongLow.data[0] = 100;
    expect(highBandScores(ref, wrongLow, 4).lsd).toBe(0);
  });

  it('experiment 7 (reduced: rank 8, 20 iterations, hop 256, 5 Griffin–Lim iterations): the NMF high band beats the empty band and spectral folding', async () => {
    const runs = await runReduced('experiments/bandwidth-extension.yaml', [
      'model.rank=8',
      'model.stopping.maxIterations=20',
      'transform.hop=256',
      'task.params.griffinLimIterations=5',
    ]);
    const m = runs[0].metrics;
    expect(runs[0].record.status).toBe('completed');
    expect(m['nmf.lsd']).toBeLessThan(m['empty.lsd']);
    expect(m['nmf.lsd']).toBeLessThan(m['folding.lsd']);
    expect(m['nmf.snr']).toBeGreaterThan(0);
    expect(m['nmf.snr']).toBeGreaterThan(m['folding.snr']);
  });
});
