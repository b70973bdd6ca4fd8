import { stringify } from 'csv-stringify/sync';
import type { TrajectoryRow } from '../plugin/fit.js';
import type { MetricValue } from '../plugin/plugin.js';

/** Tables of a run folder: trajectory, metrics, summary (CSV with a header, via csv-stringify). */

/**
 * trajectory.csv: iteration, restart-winning objective, each term, then wall time last, so the
 * deterministic columns can be compared byte for byte by dropping the final `seconds` column.
 */
export function trajectoryCsv(rows: readonly TrajectoryRow[]): string {
  const terms = [...new Set(rows.flatMap((r) => Object.keys(r.terms)))];
  const header = ['iteration', 'objective', ...terms.map((t) => `term:${t}`), 'seconds'];
  const body = rows.map((r) => [
    r.iteration,
    num(r.objective),
    ...terms.map((t) => num(r.terms[t])),
    r.seconds.toFixed(6),
  ]);
  return stringify([header, ...body]);
}

/** Full precision, round-trippable. */
function num(x: number | undefined): string {
  return x === undefined ? '' : String(x);
}

export interface MetricRow {
  metric: string;
  source: string;
  value: number;
}

/** Flatten named metric values; list entries are per source (named when the names are known). */
export function flattenMetrics(values: Record<string, MetricValue>, sourceNames: readonly string[] = []): MetricRow[] {
  const rows: MetricRow[] = [];
  const walk = (name: string, v: MetricValue | undefined) => {
    if (typeof v === 'number') rows.push({ metric: name, source: '', value: v });
    else if (Array.isArray(v))
      v.forEach((x, i) => rows.push({ metric: name, source: sourceNames[i] ?? String(i), value: x }));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(`${name}.${k}`, x);
  };
  for (const [k, v] of Object.entries(values)) walk(k, v);
  return rows;
}

export function metricsCsv(rows: readonly MetricRow[]): string {
  return stringify([['metric', 'source', 'value'], ...rows.map((r) => [r.metric, r.source, num(r.value)])]);
}

/** One summary column per metric (and per source of a per-source metric). */
export function metricColumns(rows: readonly MetricRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.source ? `${r.metric}[${r.source}]` : r.metric] = r.value;
  return out;
}

/** A table with a header from the union of the rows' keys (first-seen order). */
export function tableCsv(rows: readonly Record<string, unknown>[], first: readonly string[] = []): string {
  const cols = [...new Set([...first, ...rows.flatMap((r) => Object.keys(r))])];
  const cell = (v: unknown) =>
    v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return stringify([cols, ...rows.map((r) => cols.map((c) => cell(r[c])))]);
}
