// STFT and inverse STFT of 60 s at 16 kHz (frame 1024, hop 256, hann, centred), against two
// references measured in the same run: fft.js's raw real transform over the same number of frames
// (the floor an STFT on fft.js can reach) and a direct O(n²) real DFT on a subset of frames, scaled.
// The round trip and one DFT frame are checked before anything is timed.
import { createRequire } from 'node:module';
import { Rng, Stft } from '@nmflab/core';
import { table, timeMs, cpuMs } from './util.mjs';

// fft.js is a dependency of core, not of the workspace root: resolve it from there.
const FFT = createRequire(import.meta.resolve('@nmflab/core'))('fft.js');

export const title = 'STFT / ISTFT, 60 s at 16 kHz, frame 1024, hop 256 (hann, centred)';

export default async function () {
  const rate = 16000,
    n = 1024,
    hop = 256,
    L = 60 * rate;
  const rng = new Rng(1);
  const x = new Float64Array(L);
  for (let i = 0; i < L; i++) x[i] = Math.sin((2 * Math.PI * 440 * i) / rate) + 0.1 * rng.normal();
  const s = new Stft({ sampleRate: rate, frameLength: n, hop, window: 'hann', center: true });

  // Checks: exact round trip; frame 10 equals a direct DFT of the windowed samples.
  const Y = s.analyze(x);
  const y = s.synthesize(Y, L);
  let e = 0,
    nx = 0;
  for (let i = 0; i < L; i++) (e += (y[i] - x[i]) ** 2), (nx += x[i] ** 2);
  const rt = Math.sqrt(e / nx);
  if (rt > 1e-10) throw new Error(`STFT round trip error ${rt}`);
  const w = s.windowSamples,
    N = Y.cols,
    m = 10;
  const frame = new Float64Array(n);
  for (let t = 0; t < n; t++) frame[t] = w[t] * x[m * hop - n / 2 + t];
  // Direct real DFT with tabulated twiddles: (n/2+1)·n multiply-adds per frame.
  const cosT = new Float64Array(n).map((_, k) => Math.cos((2 * Math.PI * k) / n));
  const sinT = new Float64Array(n).map((_, k) => Math.sin((2 * Math.PI * k) / n));
  const naiveDft = (fr, out) => {
    for (let f = 0; f <= n / 2; f++) {
      let re = 0,
        im = 0;
      for (let t = 0, k = 0; t < n; t++, k = (k + f) & (n - 1)) {
        re += fr[t] * cosT[k];
        im -= fr[t] * sinT[k];
      }
      out[2 * f] = re;
      out[2 * f + 1] = im;
    }
  };
  const ref = new Float64Array(n + 2);
  naiveDft(frame, ref);
  let de = 0,
    dn = 0;
  for (let f = 0; f <= n / 2; f++) {
    de = Math.max(de, Math.hypot(ref[2 * f] - Y.re[f * N + m], ref[2 * f + 1] - Y.im[f * N + m]));
    dn = Math.max(dn, Math.hypot(ref[2 * f], ref[2 * f + 1]));
  }
  if (de > 1e-9 * dn) throw new Error(`STFT frame differs from the direct DFT by ${de / dn}`);

  const tStft = timeMs(() => s.analyze(x), { reps: 3 });
  const tIstft = timeMs(() => s.synthesize(Y, L), { reps: 3 });
  const cStft = cpuMs(() => s.analyze(x, Y));
  const out = new Float64Array(L);
  const cIstft = cpuMs(() => s.synthesize(Y, L, out));
  // Reference 1: fft.js real transforms of N ready-made windowed frames (no framing, no scatter).
  const fft = new FFT(n);
  const spec = new Float64Array(2 * n);
  const raw = () => {
    for (let k = 0; k < N; k++) fft.realTransform(spec, frame);
  };
  const tRaw = timeMs(raw, { reps: 3 });
  const cRaw = cpuMs(raw);
  // Reference 1b: N/2 complex inverse transforms (what the paired-frame ISTFT needs).
  const z = new Float64Array(2 * n).map((_, i) => Math.sin(i)),
    zout = new Float64Array(2 * n);
  const rawInv = () => {
    for (let k = 0; k < Math.ceil(N / 2); k++) fft.inverseTransform(zout, z);
  };
  const tRawInv = timeMs(rawInv, { reps: 3 });
  const cRawInv = cpuMs(rawInv);
  // Reference 2: direct DFT of 8 frames, scaled to N frames.
  const sub = 8;
  const tNaive =
    (timeMs(
      () => {
        for (let k = 0; k < sub; k++) naiveDft(frame, ref);
      },
      { reps: 3 },
    ) *
      N) /
    sub;
  table([
    {
      what: 'STFT (analyze)',
      ms: tStft.toFixed(1),
      'cpu ms': cStft.toFixed(1),
      'fft.js raw ms': tRaw.toFixed(1),
      'raw cpu ms': cRaw.toFixed(1),
      'vs raw fft.js (cpu)': `${(cStft / cRaw).toFixed(2)}×`,
      'direct DFT ms (scaled)': tNaive.toFixed(0),
      'speed-up vs direct DFT': `${(tNaive / tStft).toFixed(0)}×`,
      'round-trip rel err': rt.toExponential(1),
    },
    {
      what: 'ISTFT (synthesize)',
      ms: tIstft.toFixed(1),
      'cpu ms': cIstft.toFixed(1),
      'fft.js raw ms': tRawInv.toFixed(1),
      'raw cpu ms': cRawInv.toFixed(1),
      'vs raw fft.js (cpu)': `${(cIstft / cRawInv).toFixed(2)}×`,
      'direct DFT ms (scaled)': tNaive.toFixed(0),
      'speed-up vs direct DFT': `${(tNaive / tIstft).toFixed(0)}×`,
      'round-trip rel err': rt.toExponential(1),
    },
  ]);
  console.log(`${N} frames of ${n} (${L} samples); medians of wall (ms) and process CPU time (cpu ms); the`);
  console.log(
    'machine is shared, so wall times are noisy. ISTFT raw = ⌈N/2⌉ complex inverse FFTs (two real frames each).',
  );
}
