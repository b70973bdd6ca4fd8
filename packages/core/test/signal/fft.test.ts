import { describe, expect, it } from 'vitest';
import { Fft, Rng, Stft } from '@nmflab/core';

/** Direct O(n²) DFT in long-hand angles: the oracle. */
function dft(re: Float64Array, im: Float64Array, sign: -1 | 1): [Float64Array, Float64Array] {
  const n = re.length;
  const R = new Float64Array(n),
    I = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0,
      si = 0;
    for (let t = 0; t < n; t++) {
      const a = (sign * 2 * Math.PI * ((k * t) % n)) / n;
      sr += re[t] * Math.cos(a) - im[t] * Math.sin(a);
      si += re[t] * Math.sin(a) + im[t] * Math.cos(a);
    }
    R[k] = sr;
    I[k] = si;
  }
  return [R, I];
}

const rng = new Rng(11);
const noise = (n: number) => new Float64Array(n).map(() => rng.normal());

// Powers of two (fft.js), radix 2/3/4/5 mixes, odd, other small primes (generic butterfly),
// primes above 61 (Bluestein), and composites with a large prime factor.
const SIZES = [
  2, 3, 4, 5, 6, 7, 9, 12, 15, 16, 25, 30, 49, 60, 61, 64, 67, 97, 100, 121, 127, 134, 160, 200, 210, 243, 255, 400,
  441, 1000, 1009,
];

describe('Fft (any length)', () => {
  it('complex forward and inverse equal the direct DFT (max error ≤ 1e-12 of the norm)', () => {
    for (const n of SIZES) {
      const re = noise(n),
        im = noise(n);
      const x = new Float64Array(2 * n);
      for (let t = 0; t < n; t++) [x[2 * t], x[2 * t + 1]] = [re[t], im[t]];
      const f = new Fft(n);
      const y = new Float64Array(2 * n);
      f.transform(y, x);
      const [R, I] = dft(re, im, -1);
      let err = 0,
        norm = 0;
      for (let k = 0; k < n; k++) {
        err = Math.max(err, Math.hypot(y[2 * k] - R[k], y[2 * k + 1] - I[k]));
        norm = Math.max(norm, Math.hypot(R[k], I[k]));
      }
      expect(err / norm, `n = ${n}`).toBeLessThan(1e-12);
      const back = new Float64Array(2 * n);
      f.inverseTransform(back, y);
      for (let t = 0; t < n; t++) {
        expect(Math.abs(back[2 * t] - re[t]), `n = ${n}, re ${t}`).toBeLessThan(1e-12);
        expect(Math.abs(back[2 * t + 1] - im[t]), `n = ${n}, im ${t}`).toBeLessThan(1e-12);
      }
    }
  });

  it('realTransform gives bins 0…⌊n/2⌋ of the DFT of a real signal', () => {
    for (const n of SIZES) {
      const x = noise(n);
      const f = new Fft(n);
      const y = new Float64Array(2 * n);
      f.realTransform(y, x);
      const [R, I] = dft(x, new Float64Array(n), -1);
      for (let k = 0; k <= Math.floor(n / 2); k++) {
        expect(Math.abs(y[2 * k] - R[k]), `n = ${n}, bin ${k}`).toBeLessThan(1e-11);
        expect(Math.abs(y[2 * k + 1] - I[k]), `n = ${n}, bin ${k}`).toBeLessThan(1e-11);
      }
    }
  });
});

describe('STFT of any frame length', () => {
  const x = noise(5000);
  const cases: [number, number][] = [
    [400, 160],
    [2048, 441],
    [441, 147],
    [1023, 256],
    [509, 127],
    [7, 3],
    [97, 24],
    [1000, 250],
    [1009, 252],
    [3, 1],
  ];
  for (const [n, hop] of cases) {
    for (const window of ['hann', 'sine'] as const) {
      for (const center of [true, false]) {
        if (!center && window === 'hann') continue; // hann is 0 at t = 0: uncentred, sample 0 has no window
        it(`ISTFT∘STFT is the identity within 1e-12: frame ${n}, hop ${hop}, ${window}, center ${center}`, () => {
          const s = new Stft({ sampleRate: 16000, frameLength: n, hop, window, center });
          const Y = s.analyze(x);
          expect(Y.rows).toBe(Math.floor(n / 2) + 1);
          const y = s.synthesize(Y, x.length);
          let err = 0;
          for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(y[i] - x[i]));
          expect(err).toBeLessThan(1e-12);
        });
      }
    }
  }

  it('an odd frame length centres frames on m·hop (pad ⌊n/2⌋, as librosa) and puts a tone in its bin', () => {
    const n = 441,
      rate = 44100,
      f0 = 1000; // bin spacing 100 Hz: 1 kHz is bin 10
    const s = new Stft({ sampleRate: rate, frameLength: n, hop: 147 });
    expect(s.pad).toBe(220);
    const tone = new Float64Array(rate / 10).map((_, t) => Math.sin((2 * Math.PI * f0 * t) / rate));
    const P = s.represent(s.analyze(tone));
    const m = 10;
    let best = 0;
    for (let f = 0; f < P.rows; f++) if (P.get(f, m) > P.get(best, m)) best = f;
    expect(best).toBe(10);
  });
});

describe('Fft.realTransformPair (odd lengths)', () => {
  it('gives the half spectra of both real signals', () => {
    for (const n of [3, 7, 9, 61, 67, 441, 1009]) {
      const a = noise(n),
        b = noise(n);
      const f = new Fft(n);
      expect(f.pairsRealFrames).toBe(true);
      const A = new Float64Array(2 * n),
        B = new Float64Array(2 * n),
        A1 = new Float64Array(2 * n),
        B1 = new Float64Array(2 * n);
      f.realTransformPair(A, B, a, b);
      f.realTransform(A1, a);
      f.realTransform(B1, b);
      for (let k = 0; k < 2 * (Math.floor(n / 2) + 1); k++) {
        expect(Math.abs(A[k] - A1[k]), `n = ${n}`).toBeLessThan(1e-11);
        expect(Math.abs(B[k] - B1[k]), `n = ${n}`).toBeLessThan(1e-11);
      }
    }
  });
});
