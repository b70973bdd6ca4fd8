import { describe, expect, it } from 'vitest';
import { Matrix, Rng } from '@nmflab/core';
import { builtinRegistry } from '../../../../test/support/registry.js';
import { openFrameStream } from '@nmflab/tasks';
import { SLOW, num, runReduced } from '../support/experiment.js';

describe('task stream-dictionary', () => {
  it(
    'experiments/online-is-stream.yaml (reduced: K = 6, 20 H iterations): W from the stream, H of the part with W frozen',
    async () => {
      const runs = await runReduced('experiments/online-is-stream.yaml', [
        'model.rank=6',
        'model.stopping.maxIterations=20',
        'task.params.partStart=1',
        'task.params.partDuration=2',
        'outputs.factors=true',
      ]);
      const r = runs[0];
      expect(r.record.status).toBe('completed');
      const m = r.metrics;
      const s = openFrameStream({ path: 'data/mixtures/speech-chime-test.wav', representation: 'power' });
      expect(num(m, 'frames')).toBe(s.frames);
      expect(num(m, 'partFrames')).toBe(s.frameAt(3) - s.frameAt(1));
      s.close();
      // Two passes: the second pass's mean batch cost is below the first's.
      const costs = r.extra.passCosts as number[];
      expect(costs.length).toBe(2);
      expect(costs[1]).toBeLessThan(costs[0]);
      expect(num(m, 'peakRssMB')).toBeGreaterThan(0);
      expect(Number.isFinite(num(m, 'objective'))).toBe(true);
    },
    SLOW,
  );

  it('refuses a source without a stream and a learner that cannot stream, naming the path', async () => {
    const registry = await builtinRegistry();
    const task = registry.create('task', { id: 'stream-dictionary', params: {} }, { path: 'task' });
    const ctx = {
      data: { matrix: new Matrix(2, 2) },
      rank: 1,
      rng: new Rng(0),
      registry,
      fit: () => {
        throw new Error('unused');
      },
    };
    await expect(async () => task.run(ctx as never)).rejects.toThrow(
      /data: task stream-dictionary needs a streaming source/,
    );
    const bad = registry.create('task', { id: 'stream-dictionary', params: { learner: 'mu' } }, { path: 'task' });
    const s = openFrameStream({ path: 'data/speech/train.wav' });
    await expect(async () => bad.run({ ...ctx, data: { extra: { stream: s } } } as never)).rejects.toThrow(
      /task\.params\.learner: this solver cannot learn from a stream/,
    );
  });
});
