import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
    for (let t = 0; t < 16000; t++) err = Math.max(err, Math.abs(d.signal!.samples[t] - s!.samples[t] - c!.samples[t]));
    expect(err).toBeLessThan(1e-9);
    const train = d.extra!.train as Record<string, Float64Array>;
    expect(Object.keys(train).sort()).toEqual(['chime', 'speech']);
    expect(train.speech!.length).toBeGreaterThan(16000);
  });

  it('absolute stem paths are taken as they are, not joined onto the JSON’s folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmflab-mixture-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const json = join(dir, 'abs.json');
    writeFileSync(
      json,
      JSON.stringify({
        audio: resolve('data/mixtures/speech-chime-test.wav'),
        stems: [
          { name: 'speech', audio: resolve('data/speech/test.wav'), train: resolve('data/speech/train.wav') },
          { name: 'chime', audio: resolve('data/chime/test.wav') },
        ],
      }),
    );
    const abs = await source({ path: json, seconds: 1 }).load(new Rng(1));
    const rel = await source({ path: 'data/mixtures/speech-chime-test.json', seconds: 1 }).load(new Rng(1));
    expect(abs.signal!.samples).toEqual(rel.signal!.samples);
    expect(abs.sources!.map((s) => s.samples)).toEqual(rel.sources!.map((s) => s.samples));
    expect(Object.keys(abs.extra!.train as object)).toEqual(['speech']);
  });

  it('a missing description is a clear error naming the parameter', async () => {
    await expect(async () => source({ path: 'data/mixtures/none.json' }).load(new Rng(1))).rejects.toThrow(
      /data\.params\.path: data\/mixtures\/none\.json: file not found/,
    );
  });
});
