import type { TopLevelSpec } from 'vega-lite';
import { summarize, type Summary } from '@nmflab/core';
import type { RunFolder } from './load.js';

/**
 * What a sweep report needs to compare methods: the swept parameters of each run (seed apart),
 * metric means ± 95 % CI over seeds per combination, plotted against each swept parameter, and
 * objectives split into panels of comparable objectives (same solver configuration).
 */

export type Value = string | number | boolean | null;

/** The swept parameters of a run (its `varied`, the seed left out: seeds are what we average over). */
export function sweptValues(run: RunFolder): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(run.record.varied ?? {}))
    if (k !== 'seed') out[k] = v === null || typeof v !== 'object' ? (v as Value) : JSON.stringify(v);
  return out;
}

/** The parameters swept across a sweep's runs (in first-seen order), with their distinct values. */
export function sweptAxes(runs: readonly RunFolder[]): { path: string; values: Value[] }[] {
  const axes = new Map<string, Value[]>();
  for (const r of runs) {
    for (const [k, v] of Object.entries(sweptValues(r))) {
      const vs = axes.get(k) ?? [];
      if (!vs.some((x) => x === v)) vs.push(v);
      axes.set(k, vs);
    }
  }
  return [...axes].filter(([, v]) => v.length > 1).map(([path, values]) => ({ path, values }));
}

/** Short axis names for legends: the last path segment, unless two axes share it. */
export function shortNames(paths: readonly string[]): Map<string, string> {
  // `id` alone says nothing: model.solver.id → solver.id
  const last = (p: string) => {
    const parts = p.split('.');
    return parts.length > 1 && ['id', 'params'].includes(parts.at(-1)!) ? parts.slice(-2).join('.') : parts.at(-1)!;
  };
  const dup = new Set(paths.map(last).filter((n, i, a) => a.indexOf(n) !== i));
  return new Map(paths.map((p) => [p, dup.has(last(p)) ? p : last(p)]));
}

export function label(
  values: Record<string, Value>,
  names: Map<string, string>,
  keep?: (path: string) => boolean,
): string {
  return Object.entries(values)
    .filter(([k]) => names.has(k) && (!keep || keep(k)))
    .map(([k, v]) => `${names.get(k)}=${v}`)
    .join(', ');
}

const MAIN = /^(sdr|sir|sar|isr|si-sdr|sisdr)$/i;

/** The metrics a sweep is compared on: the BSS ones of the method (unprefixed), else every unprefixed metric but the objective. */
export function comparisonMetrics(runs: readonly RunFolder[]): string[] {
  const names = [...new Set(runs.flatMap((r) => r.metrics.map((m) => m.metric)))].filter(
    (m) => !m.includes('.') && m !== 'perm',
  );
  const main = names.filter((m) => MAIN.test(m));
  return (main.length ? main : names.filter((m) => m !== 'objective')).slice(0, 6);
}

/** A run's metric averaged over its sources (undefined when absent or not finite). */
export function runMetric(run: RunFolder, metric: string): number | undefined {
  const v = run.metrics.filter((m) => m.metric === metric && Number.isFinite(m.value)).map((m) => m.value);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
}

export interface Combination {
  values: Record<string, Value>;
  runs: RunFolder[];
  stats: Record<string, Summary>;
}

/** Runs grouped by their swept values (seeds pooled), with mean ± CI of each metric. */
export function combinations(runs: readonly RunFolder[], metrics: readonly string[]): Combination[] {
  const groups = new Map<string, Combination>();
  for (const r of runs) {
    if (r.record.status !== 'completed') continue;
    const values = sweptValues(r);
    const k = JSON.stringify(values);
    if (!groups.has(k)) groups.set(k, { values, runs: [], stats: {} });
    groups.get(k)!.runs.push(r);
  }
  for (const g of groups.values()) {
    for (const m of [...metrics, 'iterations', 'seconds']) {
      const xs = g.runs
        .map((r) => (m === 'iterations' || m === 'seconds' ? (r.record[m] as number | undefined) : runMetric(r, m)))
        .filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      if (xs.length) g.stats[m] = summarize(xs);
    }
  }
  return [...groups.values()];
}

export interface ErrorBarPoint {
  x: Value;
  series: string;
  metric: string;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

const METRIC_ORDER = ['SDR', 'SIR', 'SAR', 'ISR', 'SI-SDR'];

export function displayMetric(m: string): string {
  return MAIN.test(m) ? (m.toLowerCase().replace('sisdr', 'si-sdr') === 'si-sdr' ? 'SI-SDR' : m.toUpperCase()) : m;
}

/**
 * Metric against a swept parameter: mean over seeds with 95 % CI error bars, one line per
 * combination of the other swept parameters (colour, legend showing their values), one panel
 * per metric on its own scale.
 */
export function metricVsParameterSpec(
  points: readonly ErrorBarPoint[],
  xTitle: string,
  seriesTitle: string,
  xValues: readonly Value[],
): TopLevelSpec {
  const numeric = xValues.every((v) => typeof v === 'number');
  const sorted = numeric ? [...xValues].sort((a, b) => (a as number) - (b as number)) : [...xValues];
  const x = { field: 'x', type: 'ordinal', title: xTitle, sort: sorted.map(String), axis: { labelAngle: 0 } };
  // series in the sweep's order (rank 8, 16, 32), not alphabetical
  const color = {
    field: 'series',
    type: 'nominal',
    title: seriesTitle || null,
    sort: [...new Set(points.map((p) => p.series))],
    legend: seriesTitle ? { orient: 'bottom', columns: 3, labelLimit: 400 } : null,
  };
  const values = points.map((p) => ({ ...p, x: String(p.x), metric: displayMetric(p.metric) }));
  return {
    title: `Metrics against ${xTitle} (mean ± 95% CI over seeds)`,
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: METRIC_ORDER } },
    spec: {
      width: 220,
      height: 200,
      layer: [
        {
          mark: { type: 'errorbar', ticks: { size: 6 }, opacity: 0.8 },
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative', title: 'dB (mean ± 95% CI)', scale: { zero: false } },
            y2: { field: 'hi' },
            color,
          },
        },
        {
          mark: { type: 'line', point: { size: 40, filled: true }, strokeWidth: 1.5 },
          encoding: {
            x,
            y: { field: 'mean', type: 'quantitative' },
            color,
            tooltip: [
              { field: 'series', title: seriesTitle || 'series' },
              { field: 'x', title: xTitle },
              { field: 'metric' },
              { field: 'mean', format: '.2f' },
              { field: 'lo', format: '.2f', title: 'CI low' },
              { field: 'hi', format: '.2f', title: 'CI high' },
              { field: 'n' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

export interface ObjectivePanel {
  title: string;
  points: { series: string; run: string; iteration: number; value: number }[];
}

/**
 * Objectives per iteration, one panel per comparable objective (runs of one solver
 * configuration), each on its own log scale; colour = the other swept values, one line per seed.
 */
export function objectivePanelsSpec(panels: readonly ObjectivePanel[], seriesTitle: string): TopLevelSpec {
  const sub = panels.map((p) => ({
    title: { text: p.title, fontSize: 11 },
    width: 300,
    height: 170,
    data: { values: p.points.filter((q) => q.value > 0 && Number.isFinite(q.value)) },
    mark: { type: 'line', strokeWidth: 1.2, opacity: 0.75, clip: true },
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
      y: { field: 'value', type: 'quantitative', title: 'objective (log)', scale: { type: 'log' } },
      color: {
        field: 'series',
        type: 'nominal',
        title: seriesTitle || null,
        sort: [...new Set(p.points.map((q) => q.series))],
        legend: seriesTitle ? { orient: 'bottom', labelLimit: 400, columns: 3 } : null,
      },
      detail: { field: 'run' },
    },
  }));
  const rows: (typeof sub)[] = [];
  for (let i = 0; i < sub.length; i += 2) rows.push(sub.slice(i, i + 2));
  return {
    title: 'Objective per iteration, one panel per comparable objective (one line per run)',
    vconcat: rows.map((r) => ({ hconcat: r, resolve: { scale: { y: 'independent', color: 'independent' } } })),
    resolve: { scale: { y: 'independent', color: 'independent' } },
  } as TopLevelSpec;
}

/** One plot of every metric against one swept parameter (mean ± 95 % CI over seeds). */
export interface MetricPlot {
  /** The swept config path along x. */
  axis: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/**
 * The sweep's metric-against-parameter plots, one per swept parameter, the other swept parameters
 * as series: what the sweep report draws and `nmflab ui` shows.
 */
export function metricVsParameterPlots(runs: readonly RunFolder[]): MetricPlot[] {
  const axes = sweptAxes(runs);
  const names = shortNames(axes.map((a) => a.path));
  const metrics = comparisonMetrics(runs);
  const combos = combinations(runs, metrics);
  if (!metrics.length || !combos.some((c) => c.runs.length > 0)) return [];
  const plots: MetricPlot[] = [];
  for (const axis of axes) {
    const others = axes.filter((a) => a !== axis);
    const points: ErrorBarPoint[] = [];
    for (const c of combos) {
      for (const m of metrics) {
        const st = c.stats[m];
        if (!st) continue;
        const half = Number.isFinite(st.ciHalf) ? st.ciHalf : 0;
        points.push({
          x: c.values[axis.path] ?? null,
          series: label(c.values, names, (p) => p !== axis.path) || 'all runs',
          metric: m,
          mean: st.mean,
          lo: st.mean - half,
          hi: st.mean + half,
          n: st.n,
        });
      }
    }
    if (!points.length) continue;
    const name = names.get(axis.path) ?? axis.path;
    plots.push({
      axis: axis.path,
      title: `Metrics against ${name}`,
      caption: `Mean over seeds with 95% Student-t intervals (${axis.path} along x${others.length ? `; one line per value of ${others.map((o) => o.path).join(', ')}` : ''}); sources averaged per run; each panel on its own scale.`,
      spec: metricVsParameterSpec(points, name, others.map((o) => names.get(o.path)).join(', '), axis.values),
    });
  }
  return plots;
}
