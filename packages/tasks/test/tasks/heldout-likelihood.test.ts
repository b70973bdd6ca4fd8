import { describe, expect, it } from 'vitest';
import { SLOW, num, runReduced } from '../support/experiment.js';

describe('task heldout-likelihood: the matching divergence at reduced size', () => {
  it(
    'Gaussian data: the Euclidean fit predicts held-out entries better than IS; the true mean is the floor',
    async () => {
      const runs = await runReduced(
        'experiments/bregman-matching.yaml',
        ['data.params.rows=60', 'data.params.cols=60', 'model.stopping.maxIterations=150'],
        ['data.params.noise=[gaussian]', 'seeds=1'],
      );
      expect(runs).toHaveLength(1);
      const m = runs[0].metrics;
      expect(num(m, 'heldout.euclidean')).toBeLessThan(num(m, 'heldout.is'));
      for (const d of ['euclidean', 'kl', 'is']) expect(num(m, `heldout.${d}`)).toBeGreaterThan(num(m, 'oracle'));
    },
    SLOW,
  );
});
