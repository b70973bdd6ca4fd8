import { describe, expect, it } from 'vitest';
import { Rng, corePlugins, type Source } from '@nmflab/core';

const plugin = corePlugins.find((p) => p.meta.id === 'harmonic-pair')!;
const make = (params: Record<string, unknown> = {}) =>
  plugin.create({ f0: 220, ratio: 1.5, partials: 8, seconds: 1, sampleRate: 16000, cancel: true, ...params }, { path: 'data.params' } as never) as Source;

describe('harmonic-pair source', () => {
  it('the mixture is the sum of the two tones; same seed, same signals', async () => {
    const d = await make().load(new Rng(3));
    const e = await make().load(new Rng(3));
    const [a, b] = d.sources!;
    for (let t = 0; t < 16000; t += 97) expect(d.signal!.samples[t]).toBe(a!.samples[t]! + b!.samples[t]!);
    expect(e.signal!.samples).toEqual(d.signal!.samples);
  });

  it('the shared partial (660 Hz) cancels where both tones sound: its DFT magnitude in the mixture is far below each tone’s', async () => {
    const d = await make().load(new Rng(3));
    // both tones sound at full level in [0.41 s, 0.59 s]: 1600 samples from 7000 (10 Hz bins, so
    // every partial of both tones is on a bin and leaks nothing), 660 Hz is DFT bin 66
    const from = 7000;
    const L = 1600;
    const at = (x: Float64Array) => {
      let re = 0;
      let im = 0;
      for (let t = 0; t < L; t++) {
        re += x[from + t]! * Math.cos((2 * Math.PI * 66 * t) / L);
        im -= x[from + t]! * Math.sin((2 * Math.PI * 66 * t) / L);
      }
      return Math.hypot(re, im);
    };
    const [a, b] = d.sources!;
    expect(at(d.signal!.samples)).toBeLessThan(1e-6 * at(a!.samples));
    expect(at(a!.samples)).toBeCloseTo(at(b!.samples), 6);
  });

  it('refuses tones above Nyquist', () => {
    expect(() => make({ f0: 9000 }).load(new Rng(1))).toThrow(/above Nyquist/);
  });
});
