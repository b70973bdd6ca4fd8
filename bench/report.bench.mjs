// Report figures for 60 s at 16 kHz (frame 1024, hop 256: 513 × 3751), against the STFT of the same
// signal measured in the same run (what the report computes anyway for each source): the dB map and
// PNG heat map (block-averaged to 800 × 256), the spectrogram figure rendered to SVG by Vega, and the
// components figure for K = 16. Checked before timing: PNG size and a well-formed-looking SVG.
import { Matrix, Rng, Stft } from '@nmflab/core';
import { componentsSpec, heatmapPng, imageOnAxesSpec, pngDataUri, renderSvg, toDb } from '@nmflab/report';
import { table, cpuMsAsync } from './util.mjs';

export const title = 'Report figures, 60 s at 16 kHz (513 × 3751 spectrogram), against the STFT of the signal';

export default async function () {
  const rate = 16000,
    L = 60 * rate;
  const rng = new Rng(1);
  const x = new Float64Array(L);
  for (let i = 0; i < L; i++) x[i] = Math.sin((2 * Math.PI * 440 * i) / rate) + 0.1 * rng.normal();
  const s = new Stft({ sampleRate: rate, frameLength: 1024, hop: 256 });
  const S = s.represent(s.analyze(x));
  const hm = heatmapPng(toDb(S.data), S.rows, S.cols, { min: -80, max: 0, flipY: true });
  if (hm.width !== 800 || hm.height !== 256) throw new Error(`heat map ${hm.width}×${hm.height}`);
  const spec = imageOnAxesSpec({
    title: 'S',
    url: pngDataUri(hm.png),
    x: [0, 60],
    y: [0, 8000],
    xTitle: 'time (s)',
    yTitle: 'frequency (Hz)',
    legend: { scheme: 'viridis', domain: [-80, 0], title: 'dB' },
  });
  const svg = await renderSvg(spec);
  if (!svg.startsWith('<svg') || !svg.includes('<image')) throw new Error('no SVG image');
  const K = 16;
  const W = new Matrix(
    S.rows,
    K,
    Float64Array.from({ length: S.rows * K }, () => rng.uniform()),
  );
  const H = new Matrix(
    K,
    S.cols,
    Float64Array.from({ length: S.cols * K }, () => rng.uniform()),
  );
  const comp = componentsSpec(W, H, {
    wAxis: { values: Float64Array.from({ length: S.rows }, (_, f) => f), title: 'f' },
    hAxis: { values: Float64Array.from({ length: S.cols }, (_, n) => n), title: 'n' },
  });

  const ref = await cpuMsAsync(() => s.represent(s.analyze(x)));
  const rows = [
    ['STFT + magnitude (reference)', ref],
    [
      'dB + PNG heat map 800×256',
      await cpuMsAsync(() => heatmapPng(toDb(S.data), S.rows, S.cols, { min: -80, max: 0, flipY: true })),
    ],
    ['spectrogram figure → SVG (Vega)', await cpuMsAsync(() => renderSvg(spec))],
    ['components K=16 → SVG (Vega)', await cpuMsAsync(() => renderSvg(comp))],
  ];
  table(rows.map(([what, ms]) => ({ what, 'CPU ms': ms.toFixed(1), 'ratio to STFT': (ms / ref).toFixed(2) })));
  console.log(
    `(PNG ${(hm.png.length / 1024).toFixed(0)} KiB, spectrogram SVG ${(svg.length / 1024).toFixed(0)} KiB; CPU times, 2 shared cores: noisy)`,
  );
}
