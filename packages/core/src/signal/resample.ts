import { NmflabError } from '../errors.js';

/**
 * Band-limited resampling by windowed-sinc interpolation (the method of Smith's "bandlimited
 * interpolation" and of resampy): output sample i sits at input time t = i·from/to and
 *   y[i] = Σ_k x[k] · c · h(c·(t − k)),   h(u) = sinc(u) · kaiser(u / Z),  |u| < Z,
 * with cutoff c = ROLLOFF · min(1, to/from) (so downsampling low-passes below the new Nyquist),
 * Z = 16 zero crossings and a Kaiser window of β = 8.6, tabulated at 512 points per zero crossing
 * and linearly interpolated. Samples outside the signal are 0. The output has ⌈L·to/from⌉ samples.
 *
 * Why not wavefile's resampler: it maps output sample i to input time i·(L−1)/L′ (a time-scale
 * error of 1/L, e.g. 0.09 off a 440 Hz sine at the end of one second) and it took ~14 s of CPU per
 * minute of 16 kHz audio (16 → 22.05 kHz, default cubic+IIR and sinc+FIR alike) against ~0.4 s here.
 */
const ZERO_CROSSINGS = 16;
const TABLE_DENSITY = 512;
const KAISER_BETA = 8.6;
const ROLLOFF = 0.945;

let table: Float64Array | undefined;

function besselI0(x: number): number {
  let sum = 1,
    term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 60; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

function kernelTable(): Float64Array {
  if (table) return table;
  const n = ZERO_CROSSINGS * TABLE_DENSITY;
  const t = new Float64Array(n + 2); // one extra zero so interpolation at the edge needs no test
  const i0b = besselI0(KAISER_BETA);
  for (let j = 0; j <= n; j++) {
    const u = j / TABLE_DENSITY;
    const r = u / ZERO_CROSSINGS;
    const win = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0b;
    t[j] = (u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u)) * win;
  }
  table = t;
  return t;
}

/** Resample `x` from `fromRate` to `toRate` samples per second (see the module comment). */
export function resample(x: Float64Array, fromRate: number, toRate: number): Float64Array {
  for (const [name, r] of [
    ['source sample rate', fromRate],
    ['target sample rate', toRate],
  ] as const) {
    if (!Number.isFinite(r) || r <= 0)
      throw new NmflabError(`invalid ${name}`, { path: 'sampleRate', expected: 'a positive number', found: String(r) });
  }
  if (fromRate === toRate) return x.slice();
  const L = x.length;
  const ratio = toRate / fromRate;
  const outLen = Math.ceil(L * ratio - 1e-9);
  const y = new Float64Array(outLen);
  const h = kernelTable();
  const c = ROLLOFF * Math.min(1, ratio);
  const reach = ZERO_CROSSINGS / c; // half-width of the kernel in input samples
  const step = fromRate / toRate;
  const scale = c * TABLE_DENSITY;
  for (let i = 0; i < outLen; i++) {
    const t = i * step;
    const k0 = Math.max(0, Math.ceil(t - reach));
    const k1 = Math.min(L - 1, Math.floor(t + reach));
    let acc = 0;
    for (let k = k0; k <= k1; k++) {
      const pos = Math.abs(t - k) * scale;
      const j = pos | 0;
      const frac = pos - j;
      acc += x[k] * (h[j] + frac * (h[j + 1] - h[j]));
    }
    y[i] = c * acc;
  }
  return y;
}
