// STFT and ISTFT cost at frame lengths that are not powers of two (mixed radix, Bluestein for
// large prime factors) against the neighbouring power of two (fft.js), measured in the same run:
// 30 s at 16 kHz, hann, centred, hop = n/4. Cost is CPU time per frame sample (time / (frames · n)),
// so frame lengths of different sizes compare; the ratio is that of the size to its neighbour.
import { Rng, Stft } from '@nmflab/core';
import { table, cpuMs } from './util.mjs';

export const title = 'STFT / ISTFT at any frame length vs the neighbouring power of two (30 s at 16 kHz, hop n/4)';

export default async function () {
  const rate = 16000,
    L = 30 * rate;
  const rng = new Rng(1);
  const x = new Float64Array(L).map(() => rng.normal());
  const cost = (n) => {
    const s = new Stft({ sampleRate: rate, frameLength: n, hop: Math.floor(n / 4) });
    const Y = s.analyze(x);
    const out = new Float64Array(L);
    const per = Y.cols * n;
    return { a: cpuMs(() => s.analyze(x, Y), 5) / per, s: cpuMs(() => s.synthesize(Y, L, out), 5) / per };
  };
  const pairs = [
    [400, 512],
    [441, 512],
    [480, 512],
    [1000, 1024],
    [1536, 2048],
    [2000, 2048],
    [2205, 2048],
    [4410, 4096],
    [1009, 1024],
    [2039, 2048],
  ];
  const rows = [];
  const cache = new Map();
  for (const [n, p] of pairs) {
    const cn = cost(n);
    if (!cache.has(p)) cache.set(p, cost(p));
    const cp = cache.get(p);
    rows.push({
      'frame n': n,
      'vs 2^k': p,
      'analyze ns/sample (n)': (cn.a * 1e6).toFixed(1),
      'analyze ns/sample (2^k)': (cp.a * 1e6).toFixed(1),
      'analyze ratio': `${(cn.a / cp.a).toFixed(2)}×`,
      'synth ns/sample (n)': (cn.s * 1e6).toFixed(1),
      'synth ns/sample (2^k)': (cp.s * 1e6).toFixed(1),
      'synth ratio': `${(cn.s / cp.s).toFixed(2)}×`,
    });
  }
  table(rows);
}
