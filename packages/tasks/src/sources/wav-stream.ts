import {
  ComplexMatrix,
  Matrix,
  NmflabError,
  STFT_PARAMS,
  Stft,
  WavBlockReader,
  definePlugin,
  type PadMode,
  type Representation,
  type WindowName,
} from '@nmflab/core';

/**
 * The STFT frames of a long WAV file, read block by block: the recording never sits in memory
 * whole. Frame m is the frame `Stft.analyze` gives for the whole (mono-downmixed) signal, bit for
 * bit: each block's samples (with the centring pad, reflect or zero, taken from the ends of the
 * file) are analysed without centring.
 */
export interface FrameStream {
  readonly file: string;
  readonly sampleRate: number;
  /** Samples in the file (per channel). */
  readonly length: number;
  /** F = frameLength/2 + 1. */
  readonly bins: number;
  /** N: frames of the whole recording. */
  readonly frames: number;
  readonly representation: Representation;
  readonly stft: Stft;
  /**
   * Consecutive blocks of at most `size` frames of [from, to) as F×b matrices of |Y| or |Y|².
   * The buffers are reused from one block to the next: copy what must be kept.
   */
  blocks(size: number, from?: number, to?: number): Generator<Matrix>;
  /** Frames [from, to) as a new F×(to − from) matrix (a part of the recording). */
  read(from: number, to: number): Matrix;
  /** The complex STFT of frames [from, to). */
  readComplex(from: number, to: number): ComplexMatrix;
  /** The first frame at or after `seconds`. */
  frameAt(seconds: number): number;
  close(): void;
}

interface Params {
  path: string;
  frameLength: number;
  hop: number;
  window: WindowName;
  center: boolean;
  padMode: PadMode;
  representation: Representation;
}

class WavFrameStream implements FrameStream {
  readonly file: string;
  readonly sampleRate: number;
  readonly length: number;
  readonly bins: number;
  readonly frames: number;
  readonly representation: Representation;
  readonly stft: Stft;
  private readonly reader: WavBlockReader;
  /** The whole signal when it is short (≤ 4 frame lengths): reflections may then fold more than once. */
  private readonly whole?: Float64Array;
  /** Samples [0, pad] and [L − 1 − pad, L) for the reflect padding at the ends. */
  private readonly head?: Float64Array;
  private readonly tail?: Float64Array;
  private readonly plain: Stft;
  private seg = new Float64Array(0);
  private readonly reflect: boolean;
  private readonly pad: number;

  constructor(p: Params) {
    this.reader = new WavBlockReader(p.path);
    this.file = p.path;
    this.sampleRate = this.reader.sampleRate;
    this.length = this.reader.length;
    if (this.length === 0) {
      this.reader.close();
      throw new NmflabError('the WAV file has no samples', {
        file: p.path,
        expected: 'at least one sample',
        found: '0 samples',
      });
    }
    this.stft = new Stft({
      sampleRate: this.sampleRate,
      frameLength: p.frameLength,
      hop: p.hop,
      window: p.window,
      center: p.center,
      padMode: p.padMode,
      representation: p.representation,
    });
    this.plain = new Stft({
      sampleRate: this.sampleRate,
      frameLength: p.frameLength,
      hop: p.hop,
      window: p.window,
      center: false,
    });
    this.bins = this.stft.bins;
    this.frames = this.stft.frameCount(this.length);
    this.representation = p.representation;
    this.pad = this.stft.pad;
    this.reflect = p.center && p.padMode === 'reflect';
    const L = this.length,
      n = p.frameLength;
    if (L <= 4 * n) {
      this.whole = this.reader.read(0, new Float64Array(L));
    } else if (this.reflect) {
      this.head = this.reader.read(0, new Float64Array(this.pad + 1));
      this.tail = this.reader.read(L - 1 - this.pad, new Float64Array(this.pad + 1));
    }
  }

  frameAt(seconds: number): number {
    return Math.min(this.frames, Math.max(0, Math.ceil((seconds * this.sampleRate) / this.stft.hop)));
  }

  /** Sample i of the padded signal, outside [0, L) (the Stft's rule: mirror within the pad, else 0). */
  private outside(i: number): number {
    const L = this.length;
    if (!this.reflect || i < -this.pad || i >= L + this.pad) return 0;
    if (this.whole) return this.whole[reflectIndex(i, L)];
    const j = reflectIndex(i, L); // one fold: within pad + 1 samples of an end
    return j <= this.pad ? this.head![j] : this.tail![j - (L - 1 - this.pad)];
  }

  /** Samples of frames [from, to) of the padded signal into the segment buffer. */
  private segment(from: number, to: number): Float64Array {
    const hop = this.stft.hop,
      n = this.stft.frameLength,
      L = this.length;
    const start = from * hop - this.pad;
    const len = (to - from - 1) * hop + n;
    if (this.seg.length !== len) this.seg = new Float64Array(len);
    const seg = this.seg;
    const a = Math.max(start, 0),
      b = Math.min(start + len, L);
    if (b > a) {
      if (this.whole) seg.set(this.whole.subarray(a, b), a - start);
      else this.reader.read(a, seg.subarray(a - start, b - start));
    }
    for (let i = start; i < Math.min(a, start + len); i++) seg[i - start] = this.outside(i);
    for (let i = Math.max(b, start); i < start + len; i++) seg[i - start] = this.outside(i);
    return seg;
  }

  private check(from: number, to: number): void {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > this.frames || to <= from) {
      throw new NmflabError('frame range outside the recording', {
        file: this.file,
        expected: `0 ≤ from < to ≤ ${this.frames}`,
        found: `${from}…${to}`,
      });
    }
  }

  readComplex(from: number, to: number): ComplexMatrix {
    this.check(from, to);
    return this.plain.analyze(this.segment(from, to));
  }

  read(from: number, to: number): Matrix {
    return this.stft.represent(this.readComplex(from, to));
  }

  *blocks(size: number, from = 0, to = this.frames): Generator<Matrix> {
    if (!Number.isInteger(size) || size < 1)
      throw new NmflabError('invalid block size', { expected: 'an integer ≥ 1', found: String(size) });
    this.check(from, to);
    const F = this.bins;
    let Y: ComplexMatrix | undefined;
    let out: Matrix | undefined;
    for (let m = from; m < to; m += size) {
      const b = Math.min(size, to - m);
      if (!Y || Y.cols !== b) {
        Y = new ComplexMatrix(F, b);
        out = new Matrix(F, b);
      }
      this.plain.analyze(this.segment(m, m + b), Y);
      const re = Y.re,
        im = Y.im,
        o = out!.data;
      // The formulas of ComplexMatrix.abs / power, into a reused buffer.
      if (this.representation === 'power') for (let i = 0; i < o.length; i++) o[i] = re[i] * re[i] + im[i] * im[i];
      else for (let i = 0; i < o.length; i++) o[i] = Math.hypot(re[i], im[i]);
      yield out!;
    }
  }

  close(): void {
    this.reader.close();
  }
}

/** Index into x[0..L−1] of sample i under repeated mirror reflection (as the Stft pads). */
function reflectIndex(i: number, L: number): number {
  if (L === 1) return 0;
  const period = 2 * (L - 1);
  let k = i % period;
  if (k < 0) k += period;
  return k < L ? k : period - k;
}

/** Open a frame stream on a WAV file (the `wav-stream` source's object; also for scripts and benchmarks). */
export function openFrameStream(p: Partial<Params> & { path: string }): FrameStream {
  return new WavFrameStream({
    frameLength: 1024,
    hop: 256,
    window: 'hann',
    center: true,
    padMode: 'reflect',
    representation: 'magnitude',
    ...p,
  });
}

const { sampleRate: _rate, ...stftSettings } = STFT_PARAMS;

export default definePlugin<'source', Params>({
  meta: {
    kind: 'source',
    id: 'wav-stream',
    description: 'STFT frames of a long WAV file read block by block (never in memory whole), for online learning',
    params: {
      path: {
        type: 'string',
        minLength: 1,
        required: true,
        description: 'the WAV file, relative to the working directory (channels are averaged; no resampling)',
      },
      // The transform's own settings, as a config's `transform:` declares them (the rate is the file's).
      ...stftSettings,
    },
  },
  create: (p) => ({
    id: 'wav-stream',
    load() {
      const stream = openFrameStream(p);
      return { extra: { stream } };
    },
  }),
});
