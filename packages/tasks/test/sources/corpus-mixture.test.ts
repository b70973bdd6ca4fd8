import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Rng, readWav, type SourceData } from '@nmflab/core';
import { builtinRegistry } from '../../../../test/support/registry.js';

const MANIFEST = 'data/corpus/speech/manifest.json';
const registry = await builtinRegistry();
const load = (params: Record<string, unknown>): SourceData =>
  registry
    .create('source', { id: 'corpus-mixture', params: { manifest: MANIFEST, item: 'carlo-03', ...params } })
    .load(new Rng(1)) as SourceData;
const energy = (x: Float64Array) => x.reduce((s, v) => s + v * v, 0);
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as {
  items: { id: string; stems: Record<string, string>; train: Record<string, Record<string, string[]>> }[];
};

describe('corpus-mixture', () => {
  it('mixes the stems at the asked SNR, peaks at 0.8, and the mixture is their exact sum', () => {
    for (const snr of [-5, 0, 5]) {
      const d = load({ snrDb: snr });
      const [speech, chime] = d.sources!.map((s) => s.samples);
      expect(10 * Math.log10(energy(speech!) / energy(chime!))).toBeCloseTo(snr, 9);
      const x = d.signal!.samples;
      expect(Math.max(...x.map(Math.abs))).toBeCloseTo(0.8, 12);
      for (let n = 0; n < x.length; n += 97) expect(x[n]).toBe(speech![n] + chime![n]);
      expect(d.signal!.sampleRate).toBe(16000);
      expect(x.length).toBe(32000); // 2 s: the 8 kHz speech is resampled to the corpus rate
    }
  });

  it('the stems are the corpus files up to one gain each (the speech resampled from 8 kHz)', () => {
    const d = load({});
    const item = manifest.items.find((i) => i.id === 'carlo-03')!;
    const chimeFile = readWav(`data/corpus/speech/${item.stems.chime}`, { mono: true }).samples;
    const chime = d.sources![1].samples;
    const g = chime[20000] / chimeFile[20000];
    for (let n = 0; n < chime.length; n += 113) expect(chime[n]).toBeCloseTo(g * chimeFile[n], 12);
  });

  it('training sets: the first listed by default, the named one on request, files concatenated', () => {
    const rate = 16000;
    const byDefault = load({}).extra!;
    expect(byDefault.trainingSets).toEqual({ speech: 'speaker-disjoint', chime: 'pitch-disjoint' });
    expect((byDefault.train as Record<string, Float64Array>).speech!.length).toBe(3 * 3 * rate); // three speakers, 3 s each
    const same = load({ training: { speech: 'same-speaker', chime: 'pitch-overlap' } }).extra!;
    expect(same.trainingSets).toEqual({ speech: 'same-speaker', chime: 'pitch-overlap' });
    expect((same.train as Record<string, Float64Array>).speech!.length).toBe(9 * rate);
    expect((same.train as Record<string, Float64Array>).chime!.length).toBe(9.5 * rate);
  });

  it('bad references name the parameter, what was expected and what was found', () => {
    expect(() => load({ item: 'carlo-3' })).toThrow(
      /^params\.item: no such corpus item.*"carlo-3".*did you mean "carlo-03"/s,
    );
    expect(() => load({ split: 'train' })).toThrow(
      /^params\.split: the item is not in that split.*expected "test".*found "train"/s,
    );
    expect(() => load({ training: { speech: 'same-speakers' } })).toThrow(
      /^params\.training\.speech: no such training set.*did you mean "same-speaker"/s,
    );
    expect(() => load({ training: { drums: 'x' } })).toThrow(/training\.drums: unknown source name/);
    expect(() => load({ manifest: 'nowhere.json' })).toThrow(/^params\.manifest: corpus manifest not found/);
  });
});
