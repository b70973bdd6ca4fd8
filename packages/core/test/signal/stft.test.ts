import { describe, expect, it } from 'vitest';
import { ComplexMatrix, NmflabError, Rng, Stft, WINDOWS, istft, makeWindow, stft, type Transform } from '@nmflab/core';

function signal(L: number, seed = 1): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(L);
  for (let i = 0; i < L; i++) x[i] = Math.sin(0.031 * i) + 0.5 * Math.cos(0.77 * i + 1) + 0.3 * rng.normal();
  return x;
}

function relErr(a: Float64Array, b: Float64Array): number {
  let e = 0,
    n = 0;
  for (let i = 0; i < a.length; i++) {
    e += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(e / n);
}

function thrown(fn: () => unknown): NmflabError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NmflabError);
    return e as NmflabError;
  }
  throw new Error('expected an NmflabError');
}

describe('windows', () => {
  it('are the periodic forms, and sinebell is sine', () => {
    const n = 16;
    const hann = makeWindow('hann', n),
      ham = makeWindow('hamming', n),
      sine = makeWindow('sine', n);
    expect(hann[0]).toBe(0);
    expect(hann[n / 2]).toBeCloseTo(1, 15);
    // Periodic hann with hop n/2 sums to exactly one (constant overlap-add).
    for (let t = 0; t < n / 2; t++) expect(hann[t] + hann[t + n / 2]).toBeCloseTo(1, 14);
    expect(ham[0]).toBeCloseTo(0.08, 14);
    // Sine with hop n/2 is power-complementary: w[t]² + w[t + n/2]² = 1.
    for (let t = 0; t < n / 2; t++) expect(sine[t] ** 2 + sine[t + n / 2] ** 2).toBeCloseTo(1, 14);
    expect(Array.from(makeWindow('sinebell', n))).toEqual(Array.from(sine));
    expect(Array.from(makeWindow('rect', 4))).toEqual([1, 1, 1, 1]);
  });
});

describe('STFT / inverse STFT', () => {
  const n = 256;
  const x = signal(3001);
  // Hops with nonzero overlap for every window, including ones that do not divide n.
  const hops = [32, 64, 100, 128];
  for (const window of WINDOWS) {
    for (const [center, padMode] of [
      [true, 'reflect'],
      [true, 'zero'],
      [false, 'reflect'],
    ] as const) {
      if (window === 'hann' && !center) continue; // w[0] = 0: the first sample is lost (tested below)
      it(`round-trips within 1e-10 (${window}, center ${center}, ${padMode})`, () => {
        for (const hop of hops) {
          const s = new Stft({ sampleRate: 8000, frameLength: n, hop, window, center, padMode });
          const Y = s.analyze(x);
          expect(Y.rows).toBe(n / 2 + 1);
          expect(Y.cols).toBe(s.frameCount(x.length));
          expect(relErr(s.synthesize(Y, x.length), x)).toBeLessThan(1e-10);
        }
      });
    }
  }

  it('round-trips hops above n/2 where the window allows it (rect up to n, sine/hamming just under n)', () => {
    for (const [window, hop] of [
      ['rect', n],
      ['sine', n - 1],
      ['hamming', 200],
      ['hann', 170],
    ] as const) {
      const s = new Stft({ sampleRate: 1, frameLength: n, hop, window, center: true });
      expect(relErr(s.synthesize(s.analyze(x), x.length), x)).toBeLessThan(1e-10);
    }
  });

  it('round-trips signals shorter than a frame, odd frame counts and frame length 2', () => {
    for (const L of [1, 5, 100, 257]) {
      const y = signal(L, 2);
      const s = new Stft({ sampleRate: 1, frameLength: 64, hop: 16, window: 'hann' });
      expect(relErr(s.synthesize(s.analyze(y), L), y)).toBeLessThan(1e-10);
    }
    const s2 = new Stft({ sampleRate: 1, frameLength: 2, hop: 1, window: 'rect', center: false });
    expect(relErr(s2.synthesize(s2.analyze(x.subarray(0, 9)), 9), x.subarray(0, 9))).toBeLessThan(1e-12);
  });

  it('throws a clear error for a window/hop pair without overlap', () => {
    const e1 = thrown(() => new Stft({ sampleRate: 1, frameLength: 256, hop: 300, window: 'rect' }));
    expect(e1.message).toBe(
      'hop: window and hop do not overlap: some samples could not be resynthesized (expected Σ_m w²(t − m·hop) ≥ 1e-8·max w² at every sample (e.g. hop ≤ n/2 for hann, hop ≤ n for rect), found hop 300 with a rect window of 256 samples (Σw² = 0 at offset 256 within the hop))',
    );
    expect(thrown(() => new Stft({ sampleRate: 1, frameLength: 256, hop: 2 ** 40, window: 'rect' })).found).toBe(
      `hop ${2 ** 40} with a rect window of 256 samples (Σw² = 0 at offset 256 within the hop)`,
    );
    // hann with hop = n: frame boundaries fall where every window is zero.
    expect(thrown(() => new Stft({ sampleRate: 1, frameLength: 256, hop: 256, window: 'hann' })).path).toBe('hop');
    // hann without centring: sample 0 is seen only through w[0] = 0.
    const s = new Stft({ sampleRate: 1, frameLength: 64, hop: 16, window: 'hann', center: false });
    const e2 = thrown(() => s.synthesize(s.analyze(x), x.length));
    expect(e2.message).toBe(
      'sample 0: no window covers this sample, so it cannot be resynthesized (expected Σ_m w²(t − m·hop) ≥ 1e-8·max w² at every sample of the signal, found Σw² = 0 (hann window, frame 64, hop 16, center false)); use center: true, or a window that is nonzero at its ends (sine, hamming, rect)',
    );
  });

  it('treats a window sum below 1e-8·max w² as vanishing (sine of 16384 at sample 0: w[0]² ≈ 9e-9)', () => {
    const s = new Stft({ sampleRate: 1, frameLength: 16384, hop: 4096, window: 'sine', center: false });
    const y = new Float64Array(20000).fill(1);
    expect(thrown(() => s.synthesize(s.analyze(y), y.length)).message).toMatch(
      /^sample 0: no window covers this sample.*found Σw² = 9\.19e-9 /,
    );
    const s2 = new Stft({ sampleRate: 1, frameLength: 4096, hop: 1024, window: 'sine', center: false }); // w[0]² ≈ 1.5e-7
    expect(relErr(s2.synthesize(s2.analyze(y), y.length), y)).toBeLessThan(1e-10);
  });

  it('validates its settings with the path, expectation and finding', () => {
    const e = thrown(
      () => new Stft({ sampleRate: 16000, frameLength: 2 ** 21, hop: 250 }, { file: 'exp.yaml', path: 'transform' }),
    );
    expect(e.message).toBe(
      'exp.yaml: transform.frameLength: frame length too large (expected at most 2^20 = 1048576 samples, found 2097152)',
    );
    expect(thrown(() => new Stft({ sampleRate: 1, frameLength: 1, hop: 1 })).path).toBe('frameLength');
    expect(thrown(() => new Stft({ sampleRate: 0, frameLength: 512, hop: 128 })).path).toBe('sampleRate');
    expect(thrown(() => new Stft({ sampleRate: 1, frameLength: 512, hop: 0 })).path).toBe('hop');
    expect(thrown(() => new Stft({ sampleRate: 1, frameLength: 512, hop: 1.5 })).path).toBe('hop');
    expect(
      thrown(() => new Stft({ sampleRate: 1, frameLength: 512, hop: 128, window: 'blackman' as never })).message,
    ).toContain('unknown window (expected one of hann, sine, sinebell, hamming, rect, found "blackman")');
    expect(thrown(() => new Stft({ sampleRate: 1, frameLength: 512, hop: 128, padMode: 'edge' as never })).path).toBe(
      'padMode',
    );
    expect(
      thrown(() => new Stft({ sampleRate: 1, frameLength: 512, hop: 128, representation: 'db' as never })).path,
    ).toBe('representation');
    const s = new Stft({ sampleRate: 1, frameLength: 64, hop: 16 });
    expect(thrown(() => s.analyze(new Float64Array(0))).reason).toBe('cannot take the STFT of an empty signal');
    expect(thrown(() => s.analyze(Float64Array.of(0, NaN, 1))).path).toBe('sample 1');
    expect(thrown(() => s.synthesize(new ComplexMatrix(32, 4))).reason).toBe('spectrogram does not match the STFT');
    expect(thrown(() => s.synthesize(new ComplexMatrix(33, 4), 10_000)).reason).toBe('invalid synthesis length');
  });

  it('builds from a config mapping, filling defaults and reporting every error with its path', () => {
    const s = Stft.fromConfig({ sampleRate: 16000, window: 'sinebell' }, { file: 'exp.yaml', path: 'transform' });
    expect([s.frameLength, s.hop, s.window, s.center, s.padMode, s.representation]).toEqual([
      1024,
      256,
      'sinebell',
      true,
      'reflect',
      'magnitude',
    ]);
    let err: unknown;
    try {
      Stft.fromConfig({ frameLength: 0, hopp: 3, window: 'hanning' }, { file: 'exp.yaml', path: 'transform' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NmflabError);
    const text = (err as NmflabError).format();
    expect(text).toContain('exp.yaml: transform.hopp: unknown parameter');
    expect(text).toContain("did you mean 'hop'?");
    expect(text).toContain('exp.yaml: transform.sampleRate: missing required parameter');
    expect(text).toContain('exp.yaml: transform.frameLength:');
    expect(text).toContain('exp.yaml: transform.window:');
    expect(() => Stft.fromConfig({ sampleRate: 8000, frameLength: 1.5 }, { path: 'transform' })).toThrow(
      'transform.frameLength:',
    );
  });

  it('matches a direct DFT of one windowed frame, and Parseval holds', () => {
    const n2 = 64,
      hop = 16;
    const s = new Stft({ sampleRate: 1, frameLength: n2, hop, window: 'hamming', center: false });
    const Y = s.analyze(x);
    const w = makeWindow('hamming', n2);
    const m = 7;
    let energy = 0;
    for (let f = 0; f <= n2 / 2; f++) {
      let re = 0,
        im = 0;
      for (let t = 0; t < n2; t++) {
        const v = w[t] * x[m * hop + t];
        re += v * Math.cos((2 * Math.PI * f * t) / n2);
        im -= v * Math.sin((2 * Math.PI * f * t) / n2);
      }
      expect(Y.re[f * Y.cols + m]).toBeCloseTo(re, 10);
      expect(Y.im[f * Y.cols + m]).toBeCloseTo(im, 10);
    }
    for (let t = 0; t < n2; t++) energy += (w[t] * x[m * hop + t]) ** 2;
    let spectral = 0;
    for (let f = 0; f <= n2 / 2; f++) {
      const p = Y.re[f * Y.cols + m] ** 2 + Y.im[f * Y.cols + m] ** 2;
      spectral += f === 0 || f === n2 / 2 ? p : 2 * p;
    }
    expect(spectral / n2).toBeCloseTo(energy, 9);
  });

  it('places a pure tone in its bin and centres frames on m·hop', () => {
    const n2 = 128,
      fs = 1024,
      k = 10;
    const tone = new Float64Array(4096).map((_, i) => Math.cos(((2 * Math.PI * k * fs) / n2) * (i / fs)));
    const s = new Stft({ sampleRate: fs, frameLength: n2, hop: 32, window: 'hann', center: true });
    const P = s.represent(s.analyze(tone));
    for (let m = 0; m < P.cols; m++) {
      let best = 0;
      for (let f = 1; f < P.rows; f++) if (P.get(f, m) > P.get(best, m)) best = f;
      expect(best).toBe(k);
    }
    // Centring: 1 + ⌊L/hop⌋ frames when hop divides L (librosa's count).
    expect(s.frameCount(4096)).toBe(1 + 4096 / 32);
  });

  it('is a Transform: represent gives magnitude or power; stft/istft helpers agree with the class', () => {
    const opts = { frameLength: 128, hop: 32, window: 'sine' as const };
    const mag: Transform = new Stft({ sampleRate: 8000, ...opts });
    const pow: Transform = new Stft({ sampleRate: 8000, ...opts, representation: 'power' });
    const Y = stft(x, opts);
    const M = mag.represent(Y),
      P = pow.represent(Y);
    for (let i = 0; i < M.data.length; i++) expect(P.data[i]).toBeCloseTo(M.data[i] ** 2, 8);
    expect(mag.sampleRate).toBe(8000);
    expect(Array.from(istft(Y, opts, x.length))).toEqual(Array.from(mag.synthesize(mag.analyze(x), x.length)));
  });

  it('writes into caller-provided outputs with the same results, and checks their shapes', () => {
    const s = new Stft({ sampleRate: 1, frameLength: 64, hop: 16 });
    const y = x.subarray(0, 700);
    const Y = s.analyze(y);
    const Yo = new ComplexMatrix(Y.rows, Y.cols).clone();
    Yo.re.fill(7);
    expect(s.analyze(y, Yo)).toBe(Yo);
    expect(Array.from(Yo.re)).toEqual(Array.from(Y.re));
    expect(Array.from(Yo.im)).toEqual(Array.from(Y.im));
    const xo = new Float64Array(700).fill(3);
    expect(s.synthesize(Y, 700, xo)).toBe(xo);
    expect(Array.from(xo)).toEqual(Array.from(s.synthesize(Y, 700)));
    expect(() => s.analyze(y, new ComplexMatrix(33, 2))).toThrow(
      `output spectrogram has the wrong shape (expected 33×${Y.cols}, found 33×2)`,
    );
    expect(() => s.synthesize(Y, 700, new Float64Array(5))).toThrow(
      'output signal has the wrong length (expected 700 samples, found 5)',
    );
  });

  it('ignores imaginary parts at DC and Nyquist in synthesis (Hermitian spectrum)', () => {
    const s = new Stft({ sampleRate: 1, frameLength: 64, hop: 16 });
    const Y = s.analyze(x.subarray(0, 500));
    const Z = Y.clone();
    for (let m = 0; m < Z.cols; m++) {
      Z.im[m] = 5;
      Z.im[32 * Z.cols + m] = -3;
    }
    expect(relErr(s.synthesize(Z, 500), s.synthesize(Y, 500))).toBeLessThan(1e-14);
  });
});
