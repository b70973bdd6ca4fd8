import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { downsample } from './heatmap.js';

/**
 * Figures as Vega-Lite specifications, rendered to SVG in Node at build time
 * (`vega.View(...).toSVG()`: no browser, no canvas). Each builder returns the spec, so tests and
 * users can inspect or restyle it; {@link renderSvg} turns any of them into an SVG string.
 */

const CONFIG = {
  font: 'sans-serif',
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 10, titleFontSize: 11 },
  title: { fontSize: 13, anchor: 'start' as const },
  // Sweep labels carry the varied parameters (`0001 (model.stopping.maxIterations=40)`): keep them whole.
  legend: { labelLimit: 400 },
};

/** Render a Vega-Lite spec to a standalone SVG document (headless, renderer 'none'). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface ImageAxes {
  /** Title above the figure. */
  title: string;
  /** PNG (data URI) drawn over the plot area; its first row is the top (largest y). */
  url: string;
  x: [number, number];
  y: [number, number];
  xTitle: string;
  yTitle: string;
  width?: number;
  height?: number;
  /** Colour bar: the scheme and the value range the image's colours span. */
  legend?: { scheme: string; domain: [number, number]; title: string; reverse?: boolean };
  /** Scale of the y axis (log: the image's rows must be log-spaced). Default linear. */
  yScale?: 'linear' | 'log';
}

/**
 * A heat map image placed on real axes (time in s, frequency in Hz for spectrograms): one image
 * mark spanning the axes' domains, plus an empty layer that only carries the colour legend.
 */
export function imageOnAxesSpec(a: ImageAxes): TopLevelSpec {
  const layers: unknown[] = [
    {
      data: { values: [{ x: a.x[0], x2: a.x[1], y: a.y[0], y2: a.y[1], url: a.url }] },
      mark: { type: 'image', aspect: false, aria: false },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: a.xTitle, scale: { domain: a.x, nice: false, zero: false } },
        x2: { field: 'x2' },
        y: {
          field: 'y',
          type: 'quantitative',
          title: a.yTitle,
          scale: { domain: a.y, nice: false, zero: false, ...(a.yScale === 'log' ? { type: 'log' } : {}) },
        },
        y2: { field: 'y2' },
        url: { field: 'url', type: 'nominal' },
      },
    },
  ];
  if (a.legend) {
    layers.push({
      data: { values: a.legend.domain.map((v) => ({ v })) },
      mark: { type: 'point', opacity: 0, aria: false },
      encoding: {
        color: {
          field: 'v',
          type: 'quantitative',
          title: a.legend.title,
          scale: { scheme: a.legend.scheme, domain: a.legend.domain, reverse: a.legend.reverse ?? false },
          legend: { gradientLength: Math.max(60, (a.height ?? 160) - 20) },
        },
        x: { datum: a.x[0], type: 'quantitative' },
        y: { datum: a.y[0], type: 'quantitative' },
      },
    });
  }
  return { title: a.title, width: a.width ?? 640, height: a.height ?? 160, layer: layers } as TopLevelSpec;
}

export interface ComponentAxes {
  /** Position of each W row (e.g. bin frequency in Hz) and its title. */
  wAxis: { values: ArrayLike<number>; title: string };
  /** Position of each H column (e.g. frame time in s) and its title. */
  hAxis: { values: ArrayLike<number>; title: string };
  /** Panel widths in pixels (W, H); lines are block-averaged to one point per pixel. */
  widths?: [number, number];
}

/**
 * The classic NMF figure: W's columns as spectra (left) beside H's rows over time (right), one
 * stacked row per component k, each row on its own y scale (the W/H scaling is arbitrary).
 * `W` is F×K and `H` K×N, row-major.
 */
export function componentsSpec(
  W: { rows: number; cols: number; data: Float64Array },
  H: { rows: number; cols: number; data: Float64Array },
  axes: ComponentAxes,
): TopLevelSpec {
  const K = W.cols;
  if (H.rows !== K) throw new Error(`W has ${K} columns but H has ${H.rows} rows`);
  const [wWidth, hWidth] = axes.widths ?? [260, 440];
  const wRows: { k: number; x: number; v: number }[] = [];
  const F = W.rows;
  const fOut = Math.min(F, wWidth);
  // W transposed to K×F so each basis is a contiguous row, then block-averaged along F.
  const Wt = new Float64Array(K * F);
  for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) Wt[k * F + f] = W.data[f * K + k];
  const wDs = downsample(Wt, K, F, K, fOut);
  const wPos = downsample(Float64Array.from(axes.wAxis.values), 1, F, 1, fOut);
  for (let k = 0; k < K; k++) for (let j = 0; j < fOut; j++) wRows.push({ k: k + 1, x: wPos[j], v: wDs[k * fOut + j] });
  const N = H.cols;
  const nOut = Math.min(N, hWidth);
  const hDs = downsample(H.data, K, N, K, nOut);
  const hPos = downsample(Float64Array.from(axes.hAxis.values), 1, N, 1, nOut);
  const hRows: { k: number; x: number; v: number }[] = [];
  for (let k = 0; k < K; k++) for (let j = 0; j < nOut; j++) hRows.push({ k: k + 1, x: hPos[j], v: hDs[k * nOut + j] });
  const rowH = K > 24 ? 14 : K > 12 ? 22 : 34;
  const panel = (values: unknown[], title: string, xTitle: string, color: string, width: number) => ({
    data: { values },
    facet: {
      row: {
        field: 'k',
        type: 'ordinal',
        title: title,
        header: { labelAngle: 0, labelFontSize: 9, labelAlign: 'right' },
      },
    },
    spec: {
      width,
      height: rowH,
      mark: { type: 'area', color, fillOpacity: 0.35, stroke: color, strokeWidth: 1 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xTitle, scale: { nice: false, zero: false } },
        y: { field: 'v', type: 'quantitative', axis: null, scale: { zero: true } },
      },
    },
    resolve: { scale: { y: 'independent' } },
    spacing: 2,
  });
  return {
    title: `Components: W's columns as spectra and H's rows over time (K = ${K})`,
    hconcat: [
      panel(wRows, 'W (basis k)', axes.wAxis.title, '#4c78a8', wWidth),
      panel(hRows, 'H (activation k)', axes.hAxis.title, '#e45756', hWidth),
    ],
    spacing: 24,
  } as TopLevelSpec;
}

export interface TrajectoryPoint {
  run: string;
  /** `objective` (the total) or a term of it (`data`, a penalty's name…). */
  series: string;
  iteration: number;
  value: number;
}

/**
 * Objective per iteration on a log scale: one line per run (colour) and per term (dash; the total
 * solid). Non-positive values cannot sit on a log axis and are left out (a zero penalty).
 */
export function trajectorySpec(points: readonly TrajectoryPoint[], title = 'Objective per iteration'): TopLevelSpec {
  const values = points.filter((p) => p.value > 0 && Number.isFinite(p.value));
  const runs = new Set(values.map((p) => p.run));
  const multi = runs.size > 1;
  return {
    title,
    width: 640,
    height: 260,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
      y: { field: 'value', type: 'quantitative', title: 'objective (log scale)', scale: { type: 'log' } },
      color: { field: multi ? 'run' : 'series', type: 'nominal', title: multi ? 'run' : 'term' },
      ...(multi ? { strokeDash: { field: 'series', type: 'nominal', title: 'term' } } : {}),
      detail: [{ field: 'run' }, { field: 'series' }],
    },
  } as TopLevelSpec;
}

export interface MetricBar {
  /** The method (a run of a sweep, an oracle…). */
  method: string;
  source: string;
  /** SDR, SIR, SAR… */
  metric: string;
  value: number;
}

/**
 * Grouped bars: one panel per metric (each on its own scale), sources along x, one bar per method
 * (colour). Values above `cap` dB (a mixture's SAR is ~∞) are cut at the cap, so they do not
 * flatten every other bar; the table beside the figure has the exact values.
 */
export function metricBarsSpec(bars: readonly MetricBar[], title = 'Separation quality (dB)', cap = 60): TopLevelSpec {
  const methods = [...new Set(bars.map((b) => b.method))];
  const sources = [...new Set(bars.map((b) => b.source))];
  const width = Math.max(120, Math.min(320, sources.length * Math.max(40, methods.length * 14)));
  return {
    title,
    data: { values: bars.filter((b) => Number.isFinite(b.value)) },
    transform: [{ calculate: `min(datum.value, ${cap})`, as: 'shown' }],
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: ['SDR', 'SIR', 'SAR', 'ISR', 'SI-SDR'] } },
    spec: {
      width,
      height: 200,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'source', type: 'nominal', title: 'source', sort: sources, axis: { labelAngle: 0 } },
        xOffset: { field: 'method', type: 'nominal', sort: methods },
        y: { field: 'shown', type: 'quantitative', title: 'dB' },
        color: { field: 'method', type: 'nominal', sort: methods, title: 'method' },
        tooltip: [{ field: 'method' }, { field: 'source' }, { field: 'metric' }, { field: 'value', format: '.2f' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

export interface Note {
  pitch: number;
  onset: number;
  offset: number;
}

/** Piano roll: reference notes (grey) under the estimated ones (red), time in s, MIDI pitch. */
export function pianoRollSpec(
  reference: readonly Note[],
  estimate: readonly Note[],
  title = 'Piano roll: estimate against ground truth',
): TopLevelSpec {
  const rows = [
    ...reference.map((n) => ({ ...n, lo: n.pitch - 0.45, hi: n.pitch + 0.45, which: 'reference' })),
    ...estimate.map((n) => ({ ...n, lo: n.pitch - 0.3, hi: n.pitch + 0.3, which: 'estimate' })),
  ];
  const pitches = rows.map((r) => r.pitch);
  const lo = pitches.length ? Math.min(...pitches) - 1 : 59;
  const hi = pitches.length ? Math.max(...pitches) + 1 : 61;
  return {
    title,
    width: 640,
    height: Math.max(120, Math.min(400, (hi - lo) * 8)),
    data: { values: rows },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'onset', type: 'quantitative', title: 'time (s)' },
      x2: { field: 'offset' },
      y: {
        field: 'lo',
        type: 'quantitative',
        title: 'MIDI pitch',
        scale: { domain: [lo, hi], nice: false, zero: false },
      },
      y2: { field: 'hi' },
      color: {
        field: 'which',
        type: 'nominal',
        title: null,
        scale: { domain: ['reference', 'estimate'], range: ['#bbbbbb', '#e45756'] },
      },
      opacity: { condition: { test: "datum.which === 'estimate'", value: 0.8 }, value: 1 },
      tooltip: [
        { field: 'which' },
        { field: 'pitch' },
        { field: 'onset', format: '.3f' },
        { field: 'offset', format: '.3f' },
      ],
    },
  } as TopLevelSpec;
}
