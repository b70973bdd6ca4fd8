// Checks against committed fixtures made by NumPy/SciPy (see fixtures/make_fixtures.py).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Stft, readMatrix, readWav } from '@nmflab/core';

const fx = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('against SciPy', () => {
  it('the STFT equals scipy.signal.stft (hann 64, hop 16, even boundary) times Σw', () => {
    const x = readMatrix(fx('signal.npy')).data;
    const re = readMatrix(fx('stft_hann64_re.npy')),
      im = readMatrix(fx('stft_hann64_im.npy'));
    const Y = new Stft({
      sampleRate: 1,
      frameLength: 64,
      hop: 16,
      window: 'hann',
      center: true,
      padMode: 'reflect',
    }).analyze(x);
    expect([Y.rows, Y.cols]).toEqual([re.rows, re.cols]);
    let err = 0,
      max = 0;
    for (let i = 0; i < re.data.length; i++) {
      err = Math.max(err, Math.hypot(Y.re[i] - re.data[i], Y.im[i] - im.data[i]));
      max = Math.max(max, Math.hypot(re.data[i], im.data[i]));
    }
    expect(err / max).toBeLessThan(1e-13);
  });

  const v = readMatrix(fx('ref_values.npy')); // 40 × 3
  const cases: [string, number, number, (x: number) => number][] = [
    ['ref_u8.wav', 8000, 3, (x) => (Math.floor(x * 127 + 128) - 128) / 128],
    ['ref_s16.wav', 11025, 3, (x) => Math.floor(x * 32767) / 32768],
    ['ref_s24.wav', 48000, 3, (x) => Math.floor(x * 8388607) / 8388608],
    ['ref_s32.wav', 22050, 3, (x) => Math.floor(x * 2147483647) / 2147483648],
    ['ref_f32.wav', 44100, 3, (x) => Math.fround(x)],
  ];
  for (const [name, rate, channels, expected] of cases) {
    it(`reads ${name} (written by SciPy / Python's wave module) exactly`, () => {
      const r = readWav(fx(name));
      expect(r.sampleRate).toBe(rate);
      expect(r.channels).toHaveLength(channels);
      for (let c = 0; c < channels; c++) {
        expect(Array.from(r.channels[c])).toEqual(Array.from({ length: 40 }, (_, i) => expected(v.get(i, c))));
      }
    });
  }
});
