import FFT from 'fft.js';
import { NmflabError } from '../errors.js';

/**
 * FFT of any length n ≥ 2 with fft.js's interface (interleaved re/im Float64Arrays):
 * - n a power of two: fft.js itself (radix-4).
 * - otherwise a mixed-radix decimation-in-time FFT (the recursive scheme of KISS FFT: n factored
 *   into 4s, 2s, 3s, 5s and other primes, with dedicated butterflies for 2, 3, 4 and 5 and a direct
 *   one for other primes), except when n has a prime factor above {@link BLUESTEIN_ABOVE}: then
 *   Bluestein's chirp-z transform on fft.js of the next power of two ≥ 2n − 1, which costs
 *   O(n log n) whatever the factors.
 * Real input of even length takes the half-length complex transform of x[2t] + i·x[2t+1] and one
 * split pass; odd lengths transform the real signal as a complex one.
 *
 * Conventions as fft.js: forward X_k = Σ_t x_t e^{−2πikt/n} (no scaling), inverse with 1/n.
 * Twiddles are cos/sin of the exact angle (no recurrences), so round trips hold to ~1e-15.
 */

/** Largest prime factor handled by the direct butterfly; beyond it Bluestein is cheaper. */
const BLUESTEIN_ABOVE = 61;

const isPow2 = (n: number) => (n & (n - 1)) === 0;

function factorize(n: number): number[] {
  const f: number[] = [];
  let m = n;
  // 4s first (the cheapest butterfly per point), then 2, 3, 5, …
  while (m % 4 === 0) { f.push(4); m /= 4; }
  for (let p = 2; p * p <= m; p += p === 2 ? 1 : 2) while (m % p === 0) { f.push(p); m /= p; }
  if (m > 1) f.push(m);
  return f;
}

/** Complex FFT of one fixed size n (any n ≥ 1), out-of-place, interleaved. */
class ComplexFft {
  readonly n: number;
  private readonly pow2?: FFT;
  private readonly factors: number[] = [];
  /** e^{−2πik/n}, k = 0…n−1 (forward twiddles; the inverse conjugates via a swap trick). */
  private readonly tw: Float64Array;
  private readonly scratch: Float64Array;
  // Bluestein: chirp c_k = e^{−πik²/n}, the FFT of the conjugate chirp (length M), work buffers.
  private readonly blue?: { M: number; fft: FFT; chirp: Float64Array; kernel: Float64Array; a: Float64Array; b: Float64Array };

  constructor(n: number) {
    this.n = n;
    this.tw = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      const a = (-2 * Math.PI * k) / n;
      this.tw[2 * k] = Math.cos(a);
      this.tw[2 * k + 1] = Math.sin(a);
    }
    this.scratch = new Float64Array(2 * 5);
    if (n >= 2 && isPow2(n)) {
      this.pow2 = new FFT(n);
      return;
    }
    const f = factorize(n);
    if (f[f.length - 1] > BLUESTEIN_ABOVE) {
      let M = 2;
      while (M < 2 * n - 1) M *= 2;
      const chirp = new Float64Array(2 * n);
      for (let k = 0; k < n; k++) {
        // k² mod 2n keeps the angle small and exact for large k.
        const a = (-Math.PI * ((k * k) % (2 * n))) / n;
        chirp[2 * k] = Math.cos(a);
        chirp[2 * k + 1] = Math.sin(a);
      }
      const b = new Float64Array(2 * M);
      b[0] = 1;
      for (let k = 1; k < n; k++) {
        b[2 * k] = b[2 * (M - k)] = chirp[2 * k];
        b[2 * k + 1] = b[2 * (M - k) + 1] = -chirp[2 * k + 1];
      }
      const fft = new FFT(M);
      const kernel = new Float64Array(2 * M);
      fft.transform(kernel, b);
      this.blue = { M, fft, chirp, kernel, a: new Float64Array(2 * M), b: new Float64Array(2 * M) };
      return;
    }
    this.factors = f;
    this.scratch = new Float64Array(2 * Math.max(...f));
  }

  /** out = DFT(x) (forward, unscaled). */
  forward(out: Float64Array, x: Float64Array): void {
    if (this.pow2) this.pow2.transform(out, x);
    else if (this.blue) this.bluestein(out, x);
    else this.work(out, 0, x, 0, 1, 0);
  }

  /** out = IDFT(x) with 1/n: conj(DFT(conj x)) / n, conjugating through the output buffer. */
  inverse(out: Float64Array, x: Float64Array): void {
    const n = this.n;
    if (this.pow2) {
      this.pow2.inverseTransform(out, x);
      return;
    }
    // Swapping re and im is conj up to a factor i: swap(DFT(swap(x))) = conj(DFT(conj x)).
    const s = this.swapBuf(x);
    this.forward(out, s);
    for (let k = 0; k < n; k++) {
      const re = out[2 * k];
      out[2 * k] = out[2 * k + 1] / n;
      out[2 * k + 1] = re / n;
    }
  }

  private swapped?: Float64Array;
  private swapBuf(x: Float64Array): Float64Array {
    const s = (this.swapped ??= new Float64Array(2 * this.n));
    for (let k = 0; k < this.n; k++) {
      s[2 * k] = x[2 * k + 1];
      s[2 * k + 1] = x[2 * k];
    }
    return s;
  }

  private bluestein(out: Float64Array, x: Float64Array): void {
    const { M, fft, chirp, kernel, a, b } = this.blue!;
    const n = this.n;
    a.fill(0);
    for (let k = 0; k < n; k++) {
      const xr = x[2 * k], xi = x[2 * k + 1], cr = chirp[2 * k], ci = chirp[2 * k + 1];
      a[2 * k] = xr * cr - xi * ci;
      a[2 * k + 1] = xr * ci + xi * cr;
    }
    fft.transform(b, a);
    for (let k = 0; k < M; k++) {
      const br = b[2 * k], bi = b[2 * k + 1], kr = kernel[2 * k], ki = kernel[2 * k + 1];
      b[2 * k] = br * kr - bi * ki;
      b[2 * k + 1] = br * ki + bi * kr;
    }
    fft.inverseTransform(a, b);
    for (let k = 0; k < n; k++) {
      const ar = a[2 * k], ai = a[2 * k + 1], cr = chirp[2 * k], ci = chirp[2 * k + 1];
      out[2 * k] = ar * cr - ai * ci;
      out[2 * k + 1] = ar * ci + ai * cr;
    }
  }

  /**
   * Decimation in time: out[o … o + p·m) = DFT of the n/fstride samples of x starting at `xi` with
   * stride `fstride`, where p = factors[stage] and m the product of the later factors.
   */
  private work(out: Float64Array, o: number, x: Float64Array, xi: number, fstride: number, stage: number): void {
    const p = this.factors[stage];
    const m = this.n / (fstride * p);
    if (m === 1) {
      for (let j = 0; j < p; j++) {
        const s = 2 * (xi + j * fstride);
        out[o + 2 * j] = x[s];
        out[o + 2 * j + 1] = x[s + 1];
      }
    } else {
      for (let j = 0; j < p; j++) this.work(out, o + 2 * j * m, x, xi + j * fstride, fstride * p, stage + 1);
    }
    switch (p) {
      case 2: this.bfly2(out, o, fstride, m); break;
      case 3: this.bfly3(out, o, fstride, m); break;
      case 4: this.bfly4(out, o, fstride, m); break;
      case 5: this.bfly5(out, o, fstride, m); break;
      default: this.bflyGeneric(out, o, fstride, m, p);
    }
  }

  private bfly2(y: Float64Array, o: number, fs: number, m: number): void {
    const tw = this.tw;
    for (let k = 0; k < m; k++) {
      const a = o + 2 * k, b = a + 2 * m;
      const wr = tw[2 * k * fs], wi = tw[2 * k * fs + 1];
      const tr = y[b] * wr - y[b + 1] * wi, ti = y[b] * wi + y[b + 1] * wr;
      y[b] = y[a] - tr;
      y[b + 1] = y[a + 1] - ti;
      y[a] = y[a] + tr;
      y[a + 1] = y[a + 1] + ti;
    }
  }

  private bfly3(y: Float64Array, o: number, fs: number, m: number): void {
    const tw = this.tw;
    const s3 = -Math.sqrt(3) / 2; // Im e^{−2πi/3}
    for (let k = 0; k < m; k++) {
      const i0 = o + 2 * k, i1 = i0 + 2 * m, i2 = i1 + 2 * m;
      const w1r = tw[2 * k * fs], w1i = tw[2 * k * fs + 1], w2r = tw[4 * k * fs], w2i = tw[4 * k * fs + 1];
      const ar = y[i1] * w1r - y[i1 + 1] * w1i, ai = y[i1] * w1i + y[i1 + 1] * w1r;
      const br = y[i2] * w2r - y[i2 + 1] * w2i, bi = y[i2] * w2i + y[i2 + 1] * w2r;
      const sr = ar + br, si = ai + bi, dr = ar - br, di = ai - bi;
      const x0r = y[i0], x0i = y[i0 + 1];
      y[i0] = x0r + sr;
      y[i0 + 1] = x0i + si;
      const mr = x0r - 0.5 * sr, mi = x0i - 0.5 * si;
      // ± i·(√3/2)·(a − b) with the forward sign.
      y[i1] = mr - s3 * di;
      y[i1 + 1] = mi + s3 * dr;
      y[i2] = mr + s3 * di;
      y[i2 + 1] = mi - s3 * dr;
    }
  }

  private bfly4(y: Float64Array, o: number, fs: number, m: number): void {
    const tw = this.tw;
    for (let k = 0; k < m; k++) {
      const i0 = o + 2 * k, i1 = i0 + 2 * m, i2 = i1 + 2 * m, i3 = i2 + 2 * m;
      const w1r = tw[2 * k * fs], w1i = tw[2 * k * fs + 1];
      const w2r = tw[4 * k * fs], w2i = tw[4 * k * fs + 1];
      const w3r = tw[6 * k * fs], w3i = tw[6 * k * fs + 1];
      const ar = y[i1] * w1r - y[i1 + 1] * w1i, ai = y[i1] * w1i + y[i1 + 1] * w1r;
      const br = y[i2] * w2r - y[i2 + 1] * w2i, bi = y[i2] * w2i + y[i2 + 1] * w2r;
      const cr = y[i3] * w3r - y[i3 + 1] * w3i, ci = y[i3] * w3i + y[i3 + 1] * w3r;
      const x0r = y[i0], x0i = y[i0 + 1];
      const s0r = x0r + br, s0i = x0i + bi, d0r = x0r - br, d0i = x0i - bi;
      const s1r = ar + cr, s1i = ai + ci, d1r = ar - cr, d1i = ai - ci;
      y[i0] = s0r + s1r;
      y[i0 + 1] = s0i + s1i;
      y[i2] = s0r - s1r;
      y[i2 + 1] = s0i - s1i;
      // Forward: X1 = d0 − i·d1, X3 = d0 + i·d1.
      y[i1] = d0r + d1i;
      y[i1 + 1] = d0i - d1r;
      y[i3] = d0r - d1i;
      y[i3 + 1] = d0i + d1r;
    }
  }

  private bfly5(y: Float64Array, o: number, fs: number, m: number): void {
    const tw = this.tw;
    const c1 = Math.cos((2 * Math.PI) / 5), s1 = -Math.sin((2 * Math.PI) / 5);
    const c2 = Math.cos((4 * Math.PI) / 5), s2 = -Math.sin((4 * Math.PI) / 5);
    for (let k = 0; k < m; k++) {
      const i0 = o + 2 * k, i1 = i0 + 2 * m, i2 = i1 + 2 * m, i3 = i2 + 2 * m, i4 = i3 + 2 * m;
      let wr = tw[2 * k * fs], wi = tw[2 * k * fs + 1];
      const ar = y[i1] * wr - y[i1 + 1] * wi, ai = y[i1] * wi + y[i1 + 1] * wr;
      wr = tw[4 * k * fs]; wi = tw[4 * k * fs + 1];
      const br = y[i2] * wr - y[i2 + 1] * wi, bi = y[i2] * wi + y[i2 + 1] * wr;
      wr = tw[6 * k * fs]; wi = tw[6 * k * fs + 1];
      const cr = y[i3] * wr - y[i3 + 1] * wi, ci = y[i3] * wi + y[i3 + 1] * wr;
      wr = tw[8 * k * fs]; wi = tw[8 * k * fs + 1];
      const dr = y[i4] * wr - y[i4 + 1] * wi, di = y[i4] * wi + y[i4 + 1] * wr;
      const x0r = y[i0], x0i = y[i0 + 1];
      const p1r = ar + dr, p1i = ai + di, m1r = ar - dr, m1i = ai - di;
      const p2r = br + cr, p2i = bi + ci, m2r = br - cr, m2i = bi - ci;
      y[i0] = x0r + p1r + p2r;
      y[i0 + 1] = x0i + p1i + p2i;
      const ur = x0r + c1 * p1r + c2 * p2r, ui = x0i + c1 * p1i + c2 * p2i;
      const vr = x0r + c2 * p1r + c1 * p2r, vi = x0i + c2 * p1i + c1 * p2i;
      // i·(s1·m1 + s2·m2) and i·(s2·m1 − s1·m2).
      const qr = -(s1 * m1i + s2 * m2i), qi = s1 * m1r + s2 * m2r;
      const rr = -(s2 * m1i - s1 * m2i), ri = s2 * m1r - s1 * m2r;
      y[i1] = ur + qr;
      y[i1 + 1] = ui + qi;
      y[i4] = ur - qr;
      y[i4 + 1] = ui - qi;
      y[i2] = vr + rr;
      y[i2 + 1] = vi + ri;
      y[i3] = vr - rr;
      y[i3 + 1] = vi - ri;
    }
  }

  /** Any radix p: a direct p-point DFT per group (p ≤ {@link BLUESTEIN_ABOVE}). */
  private bflyGeneric(y: Float64Array, o: number, fs: number, m: number, p: number): void {
    const tw = this.tw, n = this.n, s = this.scratch;
    for (let u = 0; u < m; u++) {
      for (let q = 0; q < p; q++) {
        const i = o + 2 * (u + q * m);
        s[2 * q] = y[i];
        s[2 * q + 1] = y[i + 1];
      }
      for (let q = 0; q < p; q++) {
        const k = u + q * m;
        let re = s[0], im = s[1];
        for (let j = 1; j < p; j++) {
          const t = (j * fs * k) % n;
          const wr = tw[2 * t], wi = tw[2 * t + 1];
          re += s[2 * j] * wr - s[2 * j + 1] * wi;
          im += s[2 * j] * wi + s[2 * j + 1] * wr;
        }
        y[o + 2 * k] = re;
        y[o + 2 * k + 1] = im;
      }
    }
  }
}

/**
 * Transforms of one length n with the methods (and buffer layout) of fft.js's FFT object:
 * `realTransform` (half spectrum, bins 0…⌊n/2⌋, of a real signal), `transform` and
 * `inverseTransform` (complex, the inverse scaled by 1/n).
 */
export class Fft {
  readonly size: number;
  private readonly pow2?: FFT;
  private readonly full: ComplexFft;
  private readonly half?: ComplexFft;
  /** e^{−2πik/n}, k = 0…n/2, for the even-length real split. */
  private readonly split?: Float64Array;
  private readonly zin: Float64Array;
  private readonly zout: Float64Array;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 2) throw new NmflabError('invalid FFT size', { expected: 'an integer ≥ 2', found: String(n) });
    this.size = n;
    this.full = new ComplexFft(n);
    if (isPow2(n)) {
      this.pow2 = new FFT(n);
      this.zin = this.zout = new Float64Array(0);
      return;
    }
    if (n % 2 === 0) {
      const h = n / 2;
      this.half = new ComplexFft(h);
      this.split = new Float64Array(2 * (h + 1));
      for (let k = 0; k <= h; k++) {
        const a = (-2 * Math.PI * k) / n;
        this.split[2 * k] = Math.cos(a);
        this.split[2 * k + 1] = Math.sin(a);
      }
      this.zin = new Float64Array(n);
      this.zout = new Float64Array(n);
    } else {
      this.zin = new Float64Array(2 * n);
      this.zout = new Float64Array(0);
    }
  }

  /** out (≥ 2(⌊n/2⌋ + 1) numbers) = bins 0…⌊n/2⌋ of the DFT of the real signal x (n numbers). */
  realTransform(out: Float64Array, x: Float64Array): void {
    const n = this.size;
    if (this.pow2) {
      this.pow2.realTransform(out, x);
      return;
    }
    if (!this.half) {
      const z = this.zin;
      for (let t = 0; t < n; t++) {
        z[2 * t] = x[t];
        z[2 * t + 1] = 0;
      }
      // The full complex output needs 2n numbers; the caller's buffer (fft.js-sized) has them.
      this.full.forward(out, z);
      return;
    }
    const h = n / 2, z = this.zin, Z = this.zout, w = this.split!;
    for (let t = 0; t < n; t++) z[t] = x[t]; // interleaved: z_t = x[2t] + i·x[2t+1]
    this.half.forward(Z, z);
    // X_k = E_k + e^{−2πik/n}·O_k with E_k = (Z_k + conj Z_{h−k})/2, O_k = (Z_k − conj Z_{h−k})/(2i).
    for (let k = 0; k <= h; k++) {
      const a = k % h, b = (h - k) % h;
      const zr = Z[2 * a], zi = Z[2 * a + 1], cr = Z[2 * b], ci = -Z[2 * b + 1];
      const er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
      const or = 0.5 * (zi - ci), oi = -0.5 * (zr - cr);
      const wr = w[2 * k], wi = w[2 * k + 1];
      out[2 * k] = er + wr * or - wi * oi;
      out[2 * k + 1] = ei + wr * oi + wi * or;
    }
  }

  /** True for odd lengths, where {@link realTransformPair} halves the cost of two real frames. */
  get pairsRealFrames(): boolean {
    return this.size % 2 === 1;
  }

  /**
   * Half spectra of two real signals a and b from one complex DFT of z = a + i·b:
   * A_k = (Z_k + conj Z_{n−k})/2, B_k = (Z_k − conj Z_{n−k})/(2i). Outputs as {@link realTransform}.
   */
  realTransformPair(outA: Float64Array, outB: Float64Array, a: Float64Array, b: Float64Array): void {
    const n = this.size, z = this.zin, Z = (this.pairOut ??= new Float64Array(2 * n));
    if (z.length < 2 * n) throw new Error('realTransformPair needs an odd-length Fft');
    for (let t = 0; t < n; t++) {
      z[2 * t] = a[t];
      z[2 * t + 1] = b[t];
    }
    this.full.forward(Z, z);
    const F = Math.floor(n / 2);
    for (let k = 0; k <= F; k++) {
      const c = k === 0 ? 0 : n - k;
      const zr = Z[2 * k], zi = Z[2 * k + 1], cr = Z[2 * c], ci = -Z[2 * c + 1];
      outA[2 * k] = 0.5 * (zr + cr);
      outA[2 * k + 1] = 0.5 * (zi + ci);
      outB[2 * k] = 0.5 * (zi - ci);
      outB[2 * k + 1] = -0.5 * (zr - cr);
    }
  }

  private pairOut?: Float64Array;

  /** Complex forward DFT, n interleaved values. */
  transform(out: Float64Array, x: Float64Array): void {
    this.full.forward(out, x);
  }

  /** Complex inverse DFT with 1/n. */
  inverseTransform(out: Float64Array, x: Float64Array): void {
    this.full.inverse(out, x);
  }
}
