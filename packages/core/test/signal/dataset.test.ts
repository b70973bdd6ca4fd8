// The signal layer on the committed dataset (data/): WAV reading, STFT and oracle Wiener masks.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Stft, readWav, resynthesize, wienerMasks } from '@nmflab/core';

const data = (rel: string) => fileURLToPath(new URL(`../../../../data/${rel}`, import.meta.url));

describe('signals on data/mixtures/speech-chime-test', () => {
  const mix = readWav(data('mixtures/speech-chime-test.wav'));
  const speech = readWav(data('speech/test.wav')).samples;
  const chime = readWav(data('chime/test.wav')).samples;

  it('reads the mixture as the exact sum of its 16-bit stems', () => {
    expect(mix.format).toBe('pcm16');
    expect(mix.channels).toHaveLength(1);
    expect(speech.length).toBe(mix.samples.length);
    let err = 0;
    for (let i = 0; i < speech.length; i++) err = Math.max(err, Math.abs(speech[i] + chime[i] - mix.samples[i]));
    expect(err).toBe(0); // k/32768 sums are exact in float64
  });

  it('oracle Wiener masks separate it into parts that add up to the mixture and beat the mixture as an estimate', () => {
    const s = new Stft({ sampleRate: mix.sampleRate, frameLength: 1024, hop: 256, window: 'hann' });
    const Y = s.analyze(mix.samples);
    const parts = resynthesize(
      Y,
      wienerMasks([s.analyze(speech).power(), s.analyze(chime).power()]),
      s,
      mix.samples.length,
    );
    let sumErr = 0;
    for (let i = 0; i < speech.length; i++)
      sumErr = Math.max(sumErr, Math.abs(parts[0][i] + parts[1][i] - mix.samples[i]));
    expect(sumErr).toBeLessThan(1e-12);
    // SNR of the speech estimate vs using the mixture itself (0 dB by construction: equal energies).
    const snr = (est: Float64Array, ref: Float64Array) => {
      let e = 0,
        r = 0;
      for (let i = 0; i < ref.length; i++) (e += (est[i] - ref[i]) ** 2), (r += ref[i] ** 2);
      return 10 * Math.log10(r / e);
    };
    expect(Math.abs(snr(mix.samples, speech))).toBeLessThan(0.5);
    expect(snr(parts[0], speech)).toBeGreaterThan(10);
    expect(snr(parts[1], chime)).toBeGreaterThan(10);
  });
});
