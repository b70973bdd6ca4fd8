import { describe, expect, it } from 'vitest';
import { Rng, type Source } from '@nmflab/core';
import { taskPlugins } from '@nmflab/tasks';

const plugin = taskPlugins.find((p) => p.meta.id === 'harmonic-pair')!;
const make = (params: Record<string, unknown> = {}) =>
  plugin.create(
    {
      f0: 220,
      ratio: 1.5,
      partials: 8,
      seconds: 1,
      sampleRate: 16000,
      cancel: true,
      sharedPhase: 'opposite',
      overlap: 0.2,
      ...params,
    },
    { path: 'data.params' } as never,
  ) as Source;

/** |DFT| of x[from, from + L) at bin k. */
const dft = (x: Float64Array, from: number, L: number, k: number) => {
  let re = 0;
  let im = 0;
  for (let t = 0; t < L; t++) {
    re += x[from + t] * Math.cos((2 * Math.PI * k * t) / L);
    im -= x[from + t] * Math.sin((2 * Math.PI * k * t) / L);
  }
  return Math.hypot(re, im);
};

describe('harmonic-pair source', () => {
  it('the mixture is the sum of the two tones; same seed, same signals', async () => {
    const d = await make().load(new Rng(3));
    const e = await make().load(new Rng(3));
    const [a, b] = d.sources!;
    for (let t = 0; t < 16000; t += 97) expect(d.signal!.samples[t]).toBe(a!.samples[t] + b!.samples[t]);
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
        re += x[from + t] * Math.cos((2 * Math.PI * 66 * t) / L);
        im -= x[from + t] * Math.sin((2 * Math.PI * 66 * t) / L);
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

  it('octave: each of b’s partials 1–8 falls on a’s partial 2j; with sharedPhase random |a + b| = 2|a||cos(δ/2)| for the reported offsets δ', async () => {
    const octave = { ratio: 2, partials: 16, overlap: 0.5 };
    const d = await make({ ...octave, sharedPhase: 'random' }).load(new Rng(4));
    const opp = await make(octave).load(new Rng(4));
    const shared = d.extra!.sharedPartials as { a: number; b: number; hz: number; phaseOffset: number }[];
    expect(shared.map((s) => [s.a, s.b])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((j) => [2 * j, j]));
    // tone a does not depend on the phase setting
    expect(d.sources![0].samples).toEqual(opp.sources![0].samples);
    // both sound in [0.25 s, 0.75 s]: 1600 samples from 4800, 10 Hz bins
    const [a] = d.sources!;
    for (const s of shared) {
      const k = s.hz / 10;
      expect(dft(d.signal!.samples, 4800, 1600, k)).toBeCloseTo(
        2 * dft(a!.samples, 4800, 1600, k) * Math.abs(Math.cos(s.phaseOffset / 2)),
        6,
      );
      expect(dft(opp.signal!.samples, 4800, 1600, k)).toBeLessThan(1e-6 * dft(a!.samples, 4800, 1600, k));
    }
    expect(new Set(shared.map((s) => s.phaseOffset)).size).toBe(8);
  });

  it('overlap sets when the tones sound, reported in extra.activity (seconds)', async () => {
    const d = await make({ overlap: 0.5 }).load(new Rng(2));
    expect(d.extra!.activity).toEqual({ a: [[0, 0.75]], b: [[0.25, 1]] });
    const [a, b] = d.sources!;
    expect(a!.samples.subarray(12000).every((v) => v === 0)).toBe(true);
    expect(b!.samples.subarray(0, 4000).every((v) => v === 0)).toBe(true);
    expect(a!.samples.subarray(11000, 11999).some((v) => v !== 0)).toBe(true);
    expect(b!.samples.subarray(4001, 5000).some((v) => v !== 0)).toBe(true);
  });
});
