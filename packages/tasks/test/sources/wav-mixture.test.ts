import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, createContainer, Registry, encodeWav, readWav } from '@nmflab/core';
import { tasksModule } from '@nmflab/tasks';
import { tempDirs } from '../../../../test/support/temp-dir.js';

const registry = Registry.fromContainer(createContainer([tasksModule]));
const { dir } = tempDirs('nmflab-wav-mixture-');
const write = (name: string, x: number[], rate = 8000) => {
  writeFileSync(join(dir, name), encodeWav(Float64Array.from(x), rate, { format: 'float64' }));
  return join(dir, name);
};
const source = (params: Record<string, unknown>) =>
  registry.create('source', { id: 'wav-mixture', params }, { path: 'data' });

describe('source wav-mixture', () => {
  const a = write('a.wav', [0.5, -0.25, 0.125, 1]);
  const b = write('b.wav', [0.1, 0.2, 0.3]);

  it('the mixture is the sum of the gained stems, which are the references (trimmed to the shortest)', async () => {
    const d = await source({
      stems: [
        { path: a, gain: 2 },
        { name: 'bee', path: b },
      ],
    }).load(new Rng(0));
    expect(d.signal!.sampleRate).toBe(8000);
    expect(d.sources!.map((s) => s.name)).toEqual(['a', 'bee']);
    expect(Array.from(d.sources![0].samples)).toEqual([1, -0.5, 0.25]);
    expect(Array.from(d.sources![1].samples)).toEqual([0.1, 0.2, 0.3]);
    expect(Array.from(d.signal!.samples)).toEqual([1 + 0.1, -0.5 + 0.2, 0.25 + 0.3]);
  });

  it('stems at different rates need a sampleRate, then are resampled', async () => {
    const c = write('c.wav', new Array(160).fill(0.1), 16000);
    await expect(source({ stems: [{ path: a }, { path: c }] }).load(new Rng(0))).rejects.toThrow(
      /c\.wav: data\.params\.sampleRate: stems have different sample rates \(expected 8000 Hz like .*a\.wav, or a sampleRate to resample to, found 16000 Hz\)/,
    );
    const d = await source({ stems: [{ path: c }], sampleRate: 8000 }).load(new Rng(0));
    expect(d.signal!.sampleRate).toBe(8000);
    expect(Math.abs(d.signal!.samples.length - 80)).toBeLessThanOrEqual(1);
  });

  it('says what is wrong: missing path, duplicate names, unknown keys, missing files', async () => {
    expect(() => source({ stems: [{ gain: 1 }] })).toThrow(/data\.params\.stems\[0\]\.path: missing stem path/);
    expect(() => source({ stems: [{ path: a }, { path: a }] })).toThrow(/two stems have the same name .*found "a"/);
    expect(
      registry.validate('source', { id: 'wav-mixture', params: { stems: [{ path: a, gian: 1 }] } }, { path: 'data' })
        .errors.length,
    ).toBeGreaterThan(0);
    await expect(source({ stems: [{ path: join(dir, 'none.wav') }] }).load(new Rng(0))).rejects.toThrow(
      /none\.wav: file not found/,
    );
  });

  it.skipIf(!existsSync('data/mixtures/speech-chime-test.wav'))(
    'rebuilds the committed speech + chime test mixture exactly from its stems',
    async () => {
      const d = await source({
        stems: [
          { name: 'speech', path: 'data/speech/test.wav' },
          { name: 'chime', path: 'data/chime/test.wav' },
        ],
      }).load(new Rng(0));
      const ref = readWav('data/mixtures/speech-chime-test.wav', { mono: true });
      expect(d.signal!.samples.length).toBe(ref.samples.length);
      let maxErr = 0;
      for (let t = 0; t < ref.samples.length; t++)
        maxErr = Math.max(maxErr, Math.abs(d.signal!.samples[t] - ref.samples[t]));
      expect(maxErr).toBe(0);
    },
  );
});
