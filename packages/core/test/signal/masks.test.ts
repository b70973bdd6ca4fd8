import { describe, expect, it } from 'vitest';
import {
  Matrix,
  NmflabError,
  Rng,
  Stft,
  applyMask,
  binaryMasks,
  griffinLim,
  logSpectrogram,
  magnitudeSpectrogram,
  powerSpectrogram,
  resynthesize,
  wienerMasks,
} from '@nmflab/core';

function randomModels(K: number, F: number, N: number, rng: Rng, zeros = 0.2): Matrix[] {
  return Array.from({ length: K }, () => {
    const m = new Matrix(F, N);
    for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform() < zeros ? 0 : rng.uniform() ** 3;
    return m;
  });
}

function mixture(L: number, rng: Rng): Float64Array[] {
  const a = new Float64Array(L),
    b = new Float64Array(L);
  for (let i = 0; i < L; i++) {
    a[i] = Math.sin(0.05 * i) * (1 + 0.5 * Math.sin(0.001 * i));
    b[i] = 0.3 * rng.normal();
  }
  return [a, b];
}

describe('Wiener and binary masks', () => {
  it('sum to one everywhere, including bins where every model is 0', () => {
    const rng = new Rng(3);
    const models = randomModels(4, 9, 11, rng, 0.6);
    // A column of all-zero models, one of huge and one of tiny values (no overflow or underflow).
    for (const m of models) for (let f = 0; f < 9; f++) m.set(f, 0, 0);
    for (const m of models) m.set(0, 1, 0), m.set(1, 1, 0);
    models[0].set(0, 1, 1e300);
    models[1].set(0, 1, 3e300);
    models[2].set(1, 1, 1e-300);
    models[3].set(1, 1, 2e-300);
    for (const alpha of [0.5, 1, 1.2, 2, 8]) {
      const masks = [...wienerMasks(models, alpha), ...[binaryMasks(models)].flat()];
      for (const group of [masks.slice(0, 4), masks.slice(4)]) {
        let worst = 0,
          least = Infinity;
        for (let i = 0; i < 99; i++) {
          let s = 0;
          for (const M of group) {
            least = Math.min(least, M.data[i]);
            s += M.data[i];
          }
          worst = Math.max(worst, Math.abs(s - 1));
        }
        expect(least).toBeGreaterThanOrEqual(0);
        expect(worst).toBeLessThanOrEqual(2 ** -52);
      }
      const W = wienerMasks(models, alpha);
      expect(W[0].get(3, 0)).toBe(0.25); // 0/0 → equal shares
      expect(W[1].get(0, 1) / W[0].get(0, 1)).toBeCloseTo(3 ** alpha, 8);
      expect(W[3].get(1, 1) / W[2].get(1, 1)).toBeCloseTo(2 ** alpha, 8);
    }
  });

  it('follow M_k = Λ_k^α / Σ_j Λ_j^α, and sharpen towards the binary mask as α grows', () => {
    const rng = new Rng(4);
    const models = randomModels(3, 5, 6, rng, 0);
    const M = wienerMasks(models, 1.5);
    for (let i = 0; i < 30; i++) {
      const den = models.reduce((s, m) => s + m.data[i] ** 1.5, 0);
      models.forEach((m, k) => expect(M[k].data[i]).toBeCloseTo(m.data[i] ** 1.5 / den, 12));
    }
    const sharp = wienerMasks(models, 200),
      bin = binaryMasks(models);
    for (let i = 0; i < 30; i++) {
      const v = models.map((m) => m.data[i]).sort((p, q) => q - p);
      if (v[0] < 1.05 * v[1]) continue; // near-ties stay soft for any finite α
      for (let k = 0; k < 3; k++) expect(Math.abs(sharp[k].data[i] - bin[k].data[i])).toBeLessThan(1e-3);
    }
  });

  it('reject bad models and exponents with clear errors', () => {
    const a = Matrix.filled(2, 2, 1),
      b = Matrix.filled(2, 3, 1);
    expect(() => wienerMasks([a, b])).toThrow(
      'component 1: component models differ in shape (expected 2×2, found 2×3)',
    );
    const c = Matrix.filled(2, 2, 1);
    c.set(1, 0, -1);
    expect(() => wienerMasks([a, c])).toThrow(
      'component 1, entry (1, 0): component model is not a finite non-negative matrix (expected finite values ≥ 0, found -1)',
    );
    c.set(1, 0, NaN);
    expect(() => binaryMasks([a, c])).toThrow(NmflabError);
    expect(() => wienerMasks([a], 0)).toThrow('alpha: invalid Wiener exponent');
    expect(() => wienerMasks([])).toThrow('no component models');
    expect(() =>
      applyMask(new Stft({ sampleRate: 1, frameLength: 4, hop: 1 }).analyze(new Float64Array(3)), b),
    ).toThrow('mask does not match the spectrogram');
  });

  it('resynthesize components that add up to the mixture', () => {
    const rng = new Rng(5);
    const [a, b] = mixture(4000, rng);
    const x = a!.map((v, i) => v + b![i]);
    const s = new Stft({ sampleRate: 8000, frameLength: 256, hop: 64, window: 'sine' });
    const Y = s.analyze(x);
    const models = [s.analyze(a!).power(), s.analyze(b!).power()];
    for (const masks of [
      wienerMasks(models, 1),
      wienerMasks(models, 2),
      binaryMasks(models),
      wienerMasks(randomModels(3, Y.rows, Y.cols, rng)),
    ]) {
      const parts = resynthesize(Y, masks, s, x.length);
      let err = 0;
      for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(parts.reduce((t, p) => t + p[i], 0) - x[i]));
      expect(err).toBeLessThan(1e-12);
    }
    // The oracle Wiener estimate of the sine is far closer to it than the mixture is.
    const [est] = resynthesize(Y, wienerMasks(models), s, x.length);
    const dist = (u: Float64Array) => Math.sqrt(u.reduce((t, v, i) => t + (v - a![i]) ** 2, 0));
    expect(dist(est!)).toBeLessThan(0.3 * dist(x));
  });
});

describe('spectrogram views', () => {
  it('magnitude, power and dB with a floor and an optional range', () => {
    const s = new Stft({ sampleRate: 1, frameLength: 64, hop: 16 });
    const x = new Float64Array(300).map((_, i) => (i < 150 ? Math.sin(i) : 0));
    const Y = s.analyze(x);
    const M = magnitudeSpectrogram(Y),
      P = powerSpectrogram(Y);
    const D = logSpectrogram(Y, { floor: 1e-6 });
    let max = -Infinity;
    for (let i = 0; i < P.data.length; i++) {
      expect(P.data[i]).toBeCloseTo(M.data[i] ** 2, 10);
      expect(D.data[i]).toBeCloseTo(10 * Math.log10(Math.max(P.data[i], 1e-6)), 10);
      expect(D.data[i]).toBeGreaterThanOrEqual(-60);
      max = Math.max(max, D.data[i]);
    }
    expect(Math.min(...D.data)).toBe(-60); // the silent frames sit on the floor
    const R = logSpectrogram(P, { topDb: 20 });
    expect(Math.min(...R.data)).toBeCloseTo(max - 20, 10);
    expect(() => logSpectrogram(Y, { floor: 0 })).toThrow('floor: invalid dB floor');
  });
});

describe('Griffin–Lim', () => {
  const L = 4096;
  const x = new Float64Array(L).map((_, i) => Math.sin(0.07 * i + 0.00002 * i * i) + 0.5 * Math.sin(0.31 * i));
  const s = new Stft({ sampleRate: 8000, frameLength: 256, hop: 64, window: 'hann' });
  const S = s.analyze(x).abs();

  it('lowers the spectral convergence, ending well below its start', () => {
    for (const initialPhase of ['zero', 'random'] as const) {
      const r = griffinLim(S, s, { iterations: 30, initialPhase, rng: new Rng(7), length: L });
      const c = r.convergence;
      expect(c).toHaveLength(30);
      for (let i = 1; i < c.length; i++) expect(c[i]).toBeLessThanOrEqual(c[i - 1] * (1 + 1e-9));
      expect(c[c.length - 1]).toBeLessThan(0.5 * c[0]);
      expect(r.samples).toHaveLength(L);
      // The returned spectrum is the STFT of the returned signal, and its magnitude is close to S.
      const dev = Math.sqrt(r.spectrum.abs().data.reduce((t, v, i) => t + (v - S.data[i]) ** 2, 0));
      const norm = Math.sqrt(S.data.reduce((t, v) => t + v * v, 0));
      expect(dev / norm).toBeLessThan(c[0]);
    }
  });

  it('is bit-identical for the same seed and differs for another', () => {
    const a = griffinLim(S, s, { iterations: 3, initialPhase: 'random', rng: new Rng(9) });
    const b = griffinLim(S, s, { iterations: 3, initialPhase: 'random', rng: new Rng(9) });
    const c = griffinLim(S, s, { iterations: 3, initialPhase: 'random', rng: new Rng(10) });
    expect(Array.from(a.samples)).toEqual(Array.from(b.samples));
    expect(Array.from(a.samples)).not.toEqual(Array.from(c.samples));
  });

  it('rejects bad settings', () => {
    expect(() => griffinLim(S, s, { iterations: 0 })).toThrow('iterations: invalid Griffin–Lim iteration count');
    expect(() => griffinLim(S, s, { initialPhase: 'random' })).toThrow('rng: random initial phase needs an Rng');
    expect(() => griffinLim(S, s, { length: 100 })).toThrow(
      `length: length does not give back the same number of frames (expected a length whose STFT has ${S.cols} frames, found 100 samples (3 frames))`,
    );
    expect(() => griffinLim(new Matrix(5, 3), s)).toThrow(
      'magnitude does not match the STFT (expected 129 frequency rows, found 5 rows)',
    );
  });
});
