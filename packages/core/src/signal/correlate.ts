import FFT from 'fft.js';

const fftCache = new Map<number, FFT>();
export function fftOf(size: number): FFT {
  let f = fftCache.get(size);
  if (!f) {
    f = new FFT(size);
    fftCache.set(size, f);
  }
  return f;
}

export function nextPow2(n: number): number {
  let p = 4;
  while (p < n) p *= 2;
  return p;
}

/** Full complex spectrum (interleaved, length 2·size) of x zero-padded to `size`. */
export function spectrum(x: Float64Array, size: number, buf: Float64Array): Float64Array {
  buf.fill(0);
  buf.set(x.length > size ? x.subarray(0, size) : x);
  const f = fftOf(size);
  const out = new Float64Array(2 * size);
  f.realTransform(out, buf);
  f.completeSpectrum(out);
  return out;
}

/**
 * Circular cross-correlations r[k] = Σ_t a[t+k] b[t] of real signals from their spectra, two at
 * a time: both are real, so one complex inverse FFT of P₁ + i·P₂ gives r₁ + i·r₂.
 */
export function crossCorrelations(
  pairs: [Float64Array, Float64Array][],
  size: number,
  prod: Float64Array,
  out: Float64Array,
): Float64Array[] {
  const res: Float64Array[] = [];
  for (let p = 0; p < pairs.length; p += 2) {
    const [A1, B1] = pairs[p];
    const second = pairs[p + 1];
    for (let k = 0; k < 2 * size; k += 2) {
      const ar = A1[k],
        ai = A1[k + 1],
        br = B1[k],
        bi = -B1[k + 1];
      prod[k] = ar * br - ai * bi;
      prod[k + 1] = ar * bi + ai * br;
    }
    if (second) {
      const [A2, B2] = second;
      for (let k = 0; k < 2 * size; k += 2) {
        const ar = A2[k],
          ai = A2[k + 1],
          br = B2[k],
          bi = -B2[k + 1];
        // add i·(A2·conj(B2))
        prod[k] = prod[k] - (ar * bi + ai * br);
        prod[k + 1] = prod[k + 1] + (ar * br - ai * bi);
      }
    }
    fftOf(size).inverseTransform(out, prod);
    const r1 = new Float64Array(size);
    for (let k = 0; k < size; k++) r1[k] = out[2 * k];
    res.push(r1);
    if (second) {
      const r2 = new Float64Array(size);
      for (let k = 0; k < size; k++) r2[k] = out[2 * k + 1];
      res.push(r2);
    }
  }
  return res;
}

/** Linear convolution of a short filter with a signal, by FFT; the first `len` samples. */
export function convolve(
  filter: Float64Array,
  signal: Float64Array,
  len = filter.length + signal.length - 1,
): Float64Array {
  const size = nextPow2(filter.length + signal.length - 1);
  const buf = new Float64Array(size);
  const F = spectrum(filter, size, buf);
  const S = spectrum(signal, size, buf);
  for (let k = 0; k < 2 * size; k += 2) {
    const fr = F[k],
      fi = F[k + 1],
      sr = S[k],
      si = S[k + 1];
    F[k] = fr * sr - fi * si;
    F[k + 1] = fr * si + fi * sr;
  }
  const out = new Float64Array(2 * size);
  fftOf(size).inverseTransform(out, F);
  const y = new Float64Array(len);
  const m = Math.min(len, size);
  for (let t = 0; t < m; t++) y[t] = out[2 * t];
  return y;
}
