import { describe, expect, it } from 'vitest';
import { Rng, type Source } from '@nmflab/core';
import { taskPlugins } from '@nmflab/tasks';

const plugin = taskPlugins.find((p) => p.meta.id === 'mixture-file')!;
const source = (params: Record<string, unknown>): Source =>
  plugin.create({ seconds: 0, ...params }, { registry: undefined as never, path: 'data.params' }) as Source;

describe('mixture-file', () => {
  it('loads the committed speech + chime mixture: stems sum to the mixture, training recordings in extra', async () => {
    const d = await source({ path: 'data/mixtures/speech-chime-test.json', seconds: 1 }).load(new Rng(1));
    expect(d.signal!.sampleRate).toBe(16000);
    expect(d.signal!.samples.length).toBe(16000);
    expect(d.sources!.map((s) => s.name)).toEqual(['speech', 'chime']);
    const [s, c] = d.sources!;
    let err = 0;
    for (let t = 0; t < 16000; t++) err = Math.max(err, Math.abs(d.signal!.samples[t]! - s!.samples[t]! - c!.samples[t]!));
    expect(err).toBeLessThan(1e-9);
    const train = d.extra!.train as Record<string, Float64Array>;
    expect(Object.keys(train).sort()).toEqual(['chime', 'speech']);
    expect(train.speech!.length).toBeGreaterThan(16000);
  });

  it('a missing description is a clear error naming the parameter', async () => {
    await expect(async () => source({ path: 'data/mixtures/none.json' }).load(new Rng(1))).rejects.toThrow(/data\.params\.path: mixture description not found/);
  });
});
