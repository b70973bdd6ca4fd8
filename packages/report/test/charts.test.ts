import { describe, expect, it } from 'vitest';
import { Matrix, Rng } from '@nmflab/core';
import {
  componentsSpec,
  imageOnAxesSpec,
  metricBarsSpec,
  pianoRollSpec,
  renderSvg,
  trajectorySpec,
} from '../src/charts.js';
import { heatmapPng, pngDataUri } from '../src/heatmap.js';
import { assertWellFormed, countMarks } from './svg.js';

describe('figure builders (Vega-Lite → SVG)', () => {
  it('spectrogram: one image on axes in s and Hz, with a dB colour bar', async () => {
    const hm = heatmapPng(
      Float64Array.from({ length: 12 }, (_, i) => i),
      3,
      4,
    );
    const svg = await renderSvg(
      imageOnAxesSpec({
        title: 'S',
        url: pngDataUri(hm.png),
        x: [0, 2],
        y: [0, 4000],
        xTitle: 'time (s)',
        yTitle: 'frequency (Hz)',
        legend: { scheme: 'viridis', domain: [-80, 0], title: 'dB' },
      }),
    );
    assertWellFormed(svg);
    expect(countMarks(svg, 'image')).toBe(1);
    expect(svg).toContain('data:image/png;base64,');
    expect(svg).toContain('frequency (Hz)');
    expect(svg).toContain('time (s)');
    expect(svg).toMatch(/linearGradient/);
  });

  it('components: one W spectrum and one H activation per component', async () => {
    const rng = new Rng(2);
    const K = 3;
    const W = new Matrix(
      40,
      K,
      Float64Array.from({ length: 40 * K }, () => rng.uniform()),
    );
    const H = new Matrix(
      K,
      900,
      Float64Array.from({ length: 900 * K }, () => rng.uniform()),
    );
    const svg = await renderSvg(
      componentsSpec(W, H, {
        wAxis: { values: Float64Array.from({ length: 40 }, (_, i) => i * 100), title: 'frequency (Hz)' },
        hAxis: { values: Float64Array.from({ length: 900 }, (_, i) => i / 100), title: 'time (s)' },
      }),
    );
    assertWellFormed(svg);
    expect(countMarks(svg, 'area')).toBe(2 * K);
    expect(() =>
      componentsSpec(W, new Matrix(2, 5), { wAxis: { values: [], title: '' }, hAxis: { values: [], title: '' } }),
    ).toThrow(/columns/);
  });

  it('trajectory: a log-scale line per run and term; non-positive values left out', async () => {
    const pts = ['a', 'b'].flatMap((run) =>
      ['objective', 'l1'].flatMap((series) =>
        Array.from({ length: 10 }, (_, i) => ({
          run,
          series,
          iteration: i,
          value: series === 'l1' && i === 0 ? 0 : 100 / (i + 1),
        })),
      ),
    );
    const spec = trajectorySpec(pts) as { encoding: { y: { scale: { type: string } } }; data: { values: unknown[] } };
    expect(spec.encoding.y.scale.type).toBe('log');
    expect(spec.data.values).toHaveLength(38);
    const svg = await renderSvg(spec as never);
    assertWellFormed(svg);
    expect(countMarks(svg, 'line')).toBe(4);
  });

  it('metric bars: one bar per method, source and metric', async () => {
    const bars = ['nmf', 'oracle'].flatMap((method) =>
      ['speech', 'chime'].flatMap((source) =>
        ['SDR', 'SIR', 'SAR'].map((metric, i) => ({ method, source, metric, value: 3 + i })),
      ),
    );
    const svg = await renderSvg(metricBarsSpec(bars));
    assertWellFormed(svg);
    expect(countMarks(svg, 'rect', 'role-mark')).toBe(12);
    for (const m of ['SDR', 'SIR', 'SAR', 'oracle', 'speech']) expect(svg).toContain(m);
  });

  it('piano roll: a rectangle per reference and estimated note', async () => {
    const ref = [
      { pitch: 60, onset: 0, offset: 1 },
      { pitch: 64, onset: 1, offset: 2 },
    ];
    const est = [{ pitch: 60, onset: 0.1, offset: 0.9 }];
    const svg = await renderSvg(pianoRollSpec(ref, est));
    assertWellFormed(svg);
    expect(countMarks(svg, 'rect', 'role-mark')).toBe(3);
    expect(svg).toContain('MIDI pitch');
  });
});
