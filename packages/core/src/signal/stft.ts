import { Fft } from './fft.js';
import { NmflabError, NmflabErrors, describeValue } from '../errors.js';
import { validatePlainParams, type ParamsSpec, type Where } from '../plugin/params.js';
import { ComplexMatrix, type Matrix } from '../linalg/matrix.js';
import type { Transform } from '../plugin/plugin.js';
import { WINDOWS, makeWindow, type WindowName } from './window.js';

/**
 * Short-time Fourier transform of any frame length n ≥ 2 and hop (see {@link Fft}: fft.js for
 * powers of two, mixed radix or Bluestein otherwise).
 *
 * Analysis: frame m of the (optionally centred) signal x̃ starts at sample m·hop and
 *   Y[f, m] = Σ_{t=0}^{n−1} w[t] x̃[m·hop + t] e^{−2πi f t / n},   f = 0 … ⌊n/2⌋   (F = ⌊n/2⌋ + 1 bins),
 * with no normalization (Parseval per frame, even n: Σ_t (w x̃)² = (1/n)(|Y₀|² + 2Σ_{0<f<n/2}|Y_f|² + |Y_{n/2}|²)).
 * Centring pads ⌊n/2⌋ samples on both sides (reflect or zero); the end is zero-padded so that
 * frames cover every sample: N = 1 + ⌈max(L̃ − n, 0) / hop⌉ frames for a padded length L̃.
 *
 * Against librosa (`librosa.stft`, `librosa.istft`; see docs/signal.md): the same frame layout
 * (centre padding of n_fft // 2 with `pad_mode` 'reflect' or 'constant'), the same unnormalized
 * DFT and the same bins 0 … n_fft // 2, and the same inverse (overlap-add of w·IDFT divided by
 * Σ w², librosa's `window_sumsquare`). The differences: librosa's frame count is
 * 1 + (L̃ − n) // hop (frames that fit), here 1 + ⌈(L̃ − n) / hop⌉ with zeros past the end, so N may
 * exceed librosa's by one; and librosa's istft leaves samples with a tiny Σ w² undivided where
 * this one throws.
 *
 * Synthesis: the least-squares estimate of Griffin & Lim (LSEE-MSTFT), weighted overlap-add
 *   x̂[t] = Σ_m w[t − m·hop] y_m[t − m·hop] / Σ_m w²[t − m·hop],  y_m = IDFT(Y[:, m]),
 * which inverts the analysis exactly wherever the denominator is nonzero (the nonzero-overlap
 * condition); where it is not, synthesis throws instead of dividing by zero.
 */

export const PAD_MODES = ['reflect', 'zero'] as const;
export type PadMode = (typeof PAD_MODES)[number];
export const REPRESENTATIONS = ['magnitude', 'power'] as const;
export type Representation = (typeof REPRESENTATIONS)[number];

export interface StftOptions {
  /** Frame length n in samples, any integer ≥ 2 (F = ⌊n/2⌋ + 1 bins). */
  frameLength: number;
  /** Hop between frame starts in samples, ≥ 1. */
  hop: number;
  /** Window; default `hann`. */
  window?: WindowName;
  /** Pad ⌊n/2⌋ samples on both sides so frame m is centred on sample m·hop; default true. */
  center?: boolean;
  /** How centring pads: mirror the signal (`reflect`, default) or zeros. */
  padMode?: PadMode;
}

export interface StftConfig extends StftOptions {
  /** Samples per second (carried along; the transform itself does not depend on it). */
  sampleRate: number;
  /** What `represent` returns: |Y| (`magnitude`, default) or |Y|² (`power`). */
  representation?: Representation;
}

/**
 * The STFT settings as declared parameters (JSON Schema fragments, as plugins declare theirs), for
 * a config's `transform:` section; {@link Stft.fromConfig} validates against it.
 */
export const STFT_PARAMS: ParamsSpec = {
  sampleRate: {
    type: 'number',
    exclusiveMinimum: 0,
    required: true,
    description: 'samples per second of the signals the transform is applied to',
  },
  frameLength: {
    type: 'integer',
    minimum: 2,
    default: 1024,
    description: 'frame length n in samples, any integer ≥ 2 (powers of two are fastest); F = ⌊n/2⌋ + 1 bins',
  },
  hop: {
    type: 'integer',
    minimum: 1,
    default: 256,
    description: 'samples between frame starts; Σ w² over overlapping frames must not vanish',
  },
  window: {
    type: 'string',
    enum: WINDOWS,
    default: 'hann',
    description: 'analysis and synthesis window (periodic); sinebell is sine',
  },
  center: {
    type: 'boolean',
    default: true,
    description: 'pad ⌊n/2⌋ samples on both sides so frame m is centred on sample m·hop',
  },
  padMode: {
    type: 'string',
    enum: PAD_MODES,
    default: 'reflect',
    description: 'how centring pads: mirror the signal or zeros',
  },
  representation: {
    type: 'string',
    enum: REPRESENTATIONS,
    default: 'magnitude',
    description: 'what is factorized: |Y| (magnitude) or |Y|² (power)',
  },
};

/** Σw² below this fraction of max w² counts as vanishing (the division would amplify rounding by > 10⁴). */
const OVERLAP_TOL = 1e-8;
/** Frames transposed together between the F×N planes and per-frame spectra (even, ≤ 16, ~1 MB). */
const blockFrames = (n: number) => 2 * Math.max(1, Math.min(8, Math.floor(2 ** 16 / (n + 2))));

export class Stft implements Transform {
  readonly sampleRate: number;
  readonly frameLength: number;
  readonly hop: number;
  readonly window: WindowName;
  readonly center: boolean;
  readonly padMode: PadMode;
  readonly representation: Representation;
  /** F = ⌊n/2⌋ + 1. */
  readonly bins: number;
  /** The window samples w[0..n−1]. */
  readonly windowSamples: Float64Array;
  private readonly fft: Fft;
  private readonly frame: Float64Array;
  private readonly spec: Float64Array;
  private readonly spec2: Float64Array;
  private readonly frame2: Float64Array;
  private readonly BLOCK: number;
  /** BLOCK frames of spectra, frame-major (2F numbers each), for cache-friendly transposition. */
  private readonly block: Float64Array;
  // Synthesis work space, reused across calls with the same frame count.
  private acc = new Float64Array(0);
  private den: Float64Array | undefined;
  private denFrames = -1;

  constructor(config: StftConfig, where: { file?: string; path?: string } = {}) {
    const at = (key: string) => (where.path ? `${where.path}.${key}` : key);
    const fail = (key: string, reason: string, expected: string, value: unknown, hint?: string): never => {
      const found = typeof value === 'string' && key === 'hop' ? value : describeValue(value);
      throw new NmflabError(reason, { file: where.file, path: at(key), expected, found, hint });
    };
    if (config === null || typeof config !== 'object') fail('', 'invalid STFT settings', 'an object', config);
    const { sampleRate, frameLength: n, hop } = config;
    const window = config.window ?? 'hann';
    const center = config.center ?? true;
    const padMode = config.padMode ?? 'reflect';
    const representation = config.representation ?? 'magnitude';
    if (typeof sampleRate !== 'number' || !Number.isFinite(sampleRate) || sampleRate <= 0) {
      fail('sampleRate', 'invalid sample rate', 'a positive number of samples per second', sampleRate);
    }
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 2) {
      fail('frameLength', 'invalid frame length', 'an integer ≥ 2', n);
    }
    if (n > 2 ** 20) fail('frameLength', 'frame length too large', 'at most 2^20 = 1048576 samples', n);
    if (typeof hop !== 'number' || !Number.isInteger(hop) || hop < 1) fail('hop', 'invalid hop', 'an integer ≥ 1', hop);
    if (!(WINDOWS as readonly string[]).includes(window))
      fail('window', 'unknown window', `one of ${WINDOWS.join(', ')}`, window);
    if (typeof center !== 'boolean') fail('center', 'invalid centring flag', 'true or false', center);
    if (!(PAD_MODES as readonly string[]).includes(padMode))
      fail('padMode', 'unknown pad mode', `one of ${PAD_MODES.join(', ')}`, padMode);
    if (!(REPRESENTATIONS as readonly string[]).includes(representation)) {
      fail('representation', 'unknown representation', `one of ${REPRESENTATIONS.join(', ')}`, representation);
    }
    this.sampleRate = sampleRate;
    this.frameLength = n;
    this.hop = hop;
    this.window = window;
    this.center = center;
    this.padMode = padMode;
    this.representation = representation;
    this.bins = Math.floor(n / 2) + 1;
    this.windowSamples = makeWindow(window, n);
    this.fft = new Fft(n);
    this.frame = new Float64Array(n);
    this.spec = new Float64Array(2 * n);
    this.spec2 = new Float64Array(2 * n);
    this.frame2 = new Float64Array(n);
    this.BLOCK = blockFrames(n);
    this.block = new Float64Array(this.BLOCK * (n + 2));
    // Steady state (away from the ends): Σ_j w²(r + j·hop) must not vanish for any phase r.
    const w = this.windowSamples;
    let wmax = 0;
    for (let t = 0; t < n; t++) wmax = Math.max(wmax, w[t] * w[t]);
    // Offsets r ≥ n (hop > n) see no window at all; check one of them without looping to hop.
    for (let r = 0; r < Math.min(hop, n + 1); r++) {
      let s = 0;
      for (let t = r; t < n; t += hop) s += w[t] * w[t];
      if (s <= OVERLAP_TOL * wmax) {
        fail(
          'hop',
          'window and hop do not overlap: some samples could not be resynthesized',
          `Σ_m w²(t − m·hop) ≥ 1e-8·max w² at every sample (e.g. hop ≤ n/2 for hann, hop ≤ n for rect)`,
          `hop ${hop} with a ${window} window of ${n} samples (Σw² = ${Number(s.toPrecision(3))} at offset ${r} within the hop)`,
        );
      }
    }
  }

  /**
   * Build from a raw config mapping (e.g. a YAML `transform:` section): every schema error at once
   * (unknown keys with did-you-mean, types, ranges, defaults filled), then the constructor's checks.
   */
  static fromConfig(raw: unknown, where: Where = {}): Stft {
    const { value, errors } = validatePlainParams(STFT_PARAMS, raw, where);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new NmflabErrors(errors);
    return new Stft(value as unknown as StftConfig, where);
  }

  /** Samples padded at the start (⌊n/2⌋ when centred, as librosa's n_fft // 2). */
  get pad(): number {
    return this.center ? Math.floor(this.frameLength / 2) : 0;
  }

  /** Number of frames N for a signal of `length` samples. */
  frameCount(length: number): number {
    const padded = length + 2 * this.pad;
    return 1 + Math.ceil(Math.max(padded - this.frameLength, 0) / this.hop);
  }

  /**
   * Complex STFT Y (F×N): row f = frequency bin f·sampleRate/n, column m = frame m. `out` (F×N,
   * every entry overwritten) avoids allocating in iterative methods.
   */
  analyze(samples: Float64Array, out?: ComplexMatrix): ComplexMatrix {
    const L = samples.length;
    if (L === 0)
      throw new NmflabError('cannot take the STFT of an empty signal', {
        expected: 'at least one sample',
        found: '0 samples',
      });
    for (let i = 0; i < L; i++) {
      if (!Number.isFinite(samples[i])) {
        throw new NmflabError('signal contains a non-finite sample', {
          path: `sample ${i}`,
          expected: 'finite numbers',
          found: String(samples[i]),
        });
      }
    }
    const n = this.frameLength,
      hop = this.hop,
      pad = this.pad,
      F = this.bins;
    const N = this.frameCount(L);
    const w = this.windowSamples,
      frame = this.frame,
      spec = this.spec;
    if (out && (out.rows !== F || out.cols !== N)) {
      throw new NmflabError('output spectrogram has the wrong shape', {
        expected: `${F}×${N}`,
        found: `${out.rows}×${out.cols}`,
      });
    }
    const Y = out ?? new ComplexMatrix(F, N);
    const re = Y.re,
      im = Y.im;
    const reflect = this.center && this.padMode === 'reflect';
    const blk = this.block,
      BLOCK = this.BLOCK;
    const fill = (m: number, frame: Float64Array) => {
      const start = m * hop - pad; // in original sample coordinates
      if (start >= 0 && start + n <= L) {
        for (let t = 0; t < n; t++) frame[t] = w[t] * samples[start + t];
      } else {
        for (let t = 0; t < n; t++) {
          const i = start + t;
          let v = 0;
          if (i >= 0 && i < L) v = samples[i];
          else if (reflect && i >= -pad && i < L + pad) v = samples[reflectIndex(i, L)];
          frame[t] = w[t] * v;
        }
      }
    };
    // Odd lengths have no half-length real transform: two frames share one complex FFT instead.
    const paired = this.fft.pairsRealFrames;
    const frame2 = this.frame2,
      spec2 = this.spec2;
    for (let m = 0; m < N; m++) {
      // Spectra of BLOCK frames go to a frame-major buffer, then to Y in runs of BLOCK per row:
      // writing one column of the F×N planes at a time would touch a new cache line per bin.
      let j = m % BLOCK;
      fill(m, frame);
      if (paired && m + 1 < N) {
        // BLOCK is even and pairs start at even m, so both frames land in this block.
        fill(m + 1, frame2);
        this.fft.realTransformPair(spec, spec2, frame, frame2);
        blk.set(spec.subarray(0, 2 * F), j * 2 * F);
        blk.set(spec2.subarray(0, 2 * F), (j + 1) * 2 * F);
        m++;
        j++;
      } else {
        this.fft.realTransform(spec, frame);
        blk.set(spec.subarray(0, 2 * F), j * 2 * F);
      }
      if (j === BLOCK - 1 || m === N - 1) {
        const m0 = m - j;
        for (let f = 0; f < F; f++) {
          const row = f * N + m0;
          for (let k = 0; k <= j; k++) {
            re[row + k] = blk[k * 2 * F + 2 * f];
            im[row + k] = blk[k * 2 * F + 2 * f + 1];
          }
        }
      }
    }
    return Y;
  }

  /** Length of the signal a spectrogram of N frames covers (the default synthesis length). */
  coveredLength(frames: number): number {
    return (frames - 1) * this.hop + this.frameLength - 2 * this.pad;
  }

  /**
   * Inverse STFT by weighted overlap-add (LSEE-MSTFT), `length` samples (default: all the frames
   * cover). Imaginary parts at DC and Nyquist are ignored (the spectrum is taken as Hermitian).
   * `out` (`length` samples, overwritten) avoids allocating in iterative methods.
   */
  synthesize(Y: ComplexMatrix, length?: number, out?: Float64Array): Float64Array {
    const n = this.frameLength,
      hop = this.hop,
      pad = this.pad,
      F = this.bins;
    if (Y.rows !== F) {
      throw new NmflabError('spectrogram does not match the STFT', {
        expected: `${F} frequency rows (frame length ${n})`,
        found: `${Y.rows} rows`,
      });
    }
    const N = Y.cols;
    if (N === 0)
      throw new NmflabError('cannot resynthesize an empty spectrogram', {
        expected: 'at least one frame',
        found: '0 frames',
      });
    const covered = this.coveredLength(N);
    const L = length ?? covered;
    if (!Number.isInteger(L) || L < 1 || L > covered) {
      throw new NmflabError('invalid synthesis length', {
        expected: `an integer in 1…${covered} (what ${N} frames cover)`,
        found: String(L),
      });
    }
    const re = Y.re,
      im = Y.im;
    for (let i = 0; i < re.length; i++) {
      if (!Number.isFinite(re[i]) || !Number.isFinite(im[i])) {
        const f = Math.floor(i / N);
        throw new NmflabError('spectrogram contains a non-finite value', {
          path: `bin ${f}, frame ${i - f * N}`,
          expected: 'finite numbers',
          found: `${re[i]} + ${im[i]}i`,
        });
      }
    }
    const T = (N - 1) * hop + n;
    const w = this.windowSamples;
    // Denominator Σ_m w²(t − m·hop), checked over the part of the signal we return.
    const den = this.denominator(N);
    let wmax = 0;
    for (let t = 0; t < n; t++) wmax = Math.max(wmax, w[t] * w[t]);
    for (let i = 0; i < L; i++) {
      if (den[pad + i] <= OVERLAP_TOL * wmax) {
        throw new NmflabError('no window covers this sample, so it cannot be resynthesized', {
          path: `sample ${i}`,
          expected: 'Σ_m w²(t − m·hop) ≥ 1e-8·max w² at every sample of the signal',
          found: `Σw² = ${Number(den[pad + i].toPrecision(3))} (${this.window} window, frame ${n}, hop ${hop}, center ${this.center})`,
          hint: this.center
            ? 'use a smaller hop'
            : 'use center: true, or a window that is nonzero at its ends (sine, hamming, rect)',
        });
      }
    }
    if (this.acc.length !== T) this.acc = new Float64Array(T);
    const acc = this.acc.fill(0);
    const z = this.spec,
      frameOut = this.spec2;
    const half = n / 2;
    // Two real frames per complex inverse FFT: IDFT(A + iB) = a + ib for real a, b.
    const blk = this.block,
      F2 = 2 * F,
      BLOCK = this.BLOCK;
    for (let m = 0; m < N; m += 2) {
      const two = m + 1 < N;
      if (m % BLOCK === 0) {
        // Gather BLOCK frames (BLOCK is even, so pairs never straddle blocks) in row runs.
        const cnt = Math.min(BLOCK, N - m);
        for (let f = 0; f < F; f++) {
          const row = f * N + m;
          for (let k = 0; k < cnt; k++) {
            blk[k * F2 + 2 * f] = re[row + k];
            blk[k * F2 + 2 * f + 1] = im[row + k];
          }
        }
      }
      const oa = (m % BLOCK) * F2,
        ob = oa + F2;
      for (let f = 0; f <= half; f++) {
        const ar = blk[oa + 2 * f];
        const ai = f === 0 || f === half ? 0 : blk[oa + 2 * f + 1];
        const br = two ? blk[ob + 2 * f] : 0;
        const bi = two && f !== 0 && f !== half ? blk[ob + 2 * f + 1] : 0;
        z[2 * f] = ar - bi;
        z[2 * f + 1] = ai + br;
        if (f > 0 && f < half) {
          // Bin n − f holds conj(A_f) + i·conj(B_f).
          z[2 * (n - f)] = ar + bi;
          z[2 * (n - f) + 1] = br - ai;
        }
      }
      this.fft.inverseTransform(frameOut, z);
      const s = m * hop;
      for (let t = 0; t < n; t++) acc[s + t] += w[t] * frameOut[2 * t];
      if (two) {
        const s2 = s + hop;
        for (let t = 0; t < n; t++) acc[s2 + t] += w[t] * frameOut[2 * t + 1];
      }
    }
    if (out && out.length !== L) {
      throw new NmflabError('output signal has the wrong length', { expected: `${L} samples`, found: `${out.length}` });
    }
    const x = out ?? new Float64Array(L);
    for (let i = 0; i < L; i++) x[i] = acc[pad + i] / den[pad + i];
    return x;
  }

  /** Σ_m w²(t − m·hop) over the padded span of N frames (cached for the last N). */
  private denominator(N: number): Float64Array {
    if (this.den && this.denFrames === N) return this.den;
    const n = this.frameLength,
      hop = this.hop,
      w = this.windowSamples;
    const den = new Float64Array((N - 1) * hop + n);
    for (let m = 0; m < N; m++) {
      const s = m * hop;
      for (let t = 0; t < n; t++) den[s + t] += w[t] * w[t];
    }
    this.den = den;
    this.denFrames = N;
    return den;
  }

  /** The non-negative matrix to factorize: |Y| or |Y|² per `representation`. */
  represent(Y: ComplexMatrix): Matrix {
    return this.representation === 'power' ? Y.power() : Y.abs();
  }
}

/** Index into x[0..L−1] of sample i under repeated mirror reflection (numpy's `reflect`). */
function reflectIndex(i: number, L: number): number {
  if (L === 1) return 0;
  const period = 2 * (L - 1);
  let k = i % period;
  if (k < 0) k += period;
  return k < L ? k : period - k;
}

/** STFT of `samples` (see {@link Stft}); sampleRate is irrelevant here. */
export function stft(samples: Float64Array, options: StftOptions): ComplexMatrix {
  return new Stft({ sampleRate: 1, ...options }).analyze(samples);
}

/** Inverse STFT by weighted overlap-add (see {@link Stft.synthesize}). */
export function istft(Y: ComplexMatrix, options: StftOptions, length?: number): Float64Array {
  return new Stft({ sampleRate: 1, ...options }).synthesize(Y, length);
}
