import { NmflabError } from '../errors.js';
import { sampleMean, sampleStd, studentTQuantile } from '../stats.js';
import type { RunRecord } from './execute.js';

/**
 * Dataset-level results: a sweep over the items of a corpus (an axis made by `items(…)`) and over
 * seeds is one experiment per combination of its other axes; each combination's per-run metrics are
 * summarized as mean ± 95 % confidence interval.
 *
 * The interval (the one definition used everywhere in nmflab): the n = items × seeds values of a
 * metric are taken as one sample, and the interval is the Student t-interval
 *   mean ± t_{0.975, n−1} · s / √n,   s² = Σ (x − mean)² / (n − 1).
 * Seeds of one item are not independent draws of a new item, so the interval is a summary of the
 * spread over items and seeds together, as the evaluation protocol states; n = 1 gives no interval.
 */

export interface Interval {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 when n = 1. */
  sd: number;
  /** Half-width of the 95 % t-interval; undefined when n < 2. */
  ci95?: number;
}

/** Mean ± 95 % Student t-interval of a sample (the definition above). */
export function tInterval(values: readonly number[]): Interval {
  const n = values.length;
  if (n === 0) throw new NmflabError('no values to summarize', { expected: 'at least one value' });
  const mean = sampleMean(values);
  if (n === 1) return { n, mean, sd: 0 };
  const sd = sampleStd(values);
  return { n, mean, sd, ci95: (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n) };
}

export interface AggregateRow extends Interval {
  /** The values of the sweep's other axes (not items, not seeds) this row summarizes. */
  group: Record<string, unknown>;
  metric: string;
}

/**
 * Group completed runs by the values of the axes that are not `over` (the item axes; seeds are
 * always pooled) and summarize every numeric metric of each group. Groups and metrics keep the
 * order in which they first appear.
 */
export function aggregateRuns(
  axes: readonly { path: string; over?: boolean }[],
  records: readonly (RunRecord | undefined)[],
): AggregateRow[] {
  const keep = axes.filter((a) => !a.over).map((a) => a.path);
  const groups = new Map<string, { group: Record<string, unknown>; values: Map<string, number[]> }>();
  for (const rec of records) {
    if (rec?.status !== 'completed' || !rec.metrics) continue;
    const group = Object.fromEntries(keep.map((p) => [p, rec.varied?.[p]]));
    const key = JSON.stringify(group);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { group, values: new Map() }));
    for (const [m, v] of Object.entries(rec.metrics)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      let list = g.values.get(m);
      if (!list) g.values.set(m, (list = []));
      list.push(v);
    }
  }
  const rows: AggregateRow[] = [];
  for (const g of groups.values())
    for (const [metric, values] of g.values) rows.push({ group: g.group, metric, ...tInterval(values) });
  return rows;
}

/** aggregate.csv: one row per group and metric — the group's axis values, n, mean, ci95, sd. */
export function aggregateTable(rows: readonly AggregateRow[]): Record<string, unknown>[] {
  return rows.map((r) => ({ ...r.group, metric: r.metric, n: r.n, mean: r.mean, ci95: r.ci95, sd: r.sd }));
}

/** `mean ± ci95 (n)` with two decimals, as the docs and the CLI print it. */
export function formatInterval(r: Interval, digits = 2): string {
  return `${r.mean.toFixed(digits)} ± ${r.ci95 === undefined ? '—' : r.ci95.toFixed(digits)} (n=${r.n})`;
}
