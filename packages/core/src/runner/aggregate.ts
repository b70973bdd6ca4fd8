import { NmflabError } from '../errors.js';
import { logGamma } from '../special.js';
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

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with ν degrees of freedom. */
export function studentTCdf(t: number, nu: number): number {
  const tail = 0.5 * incompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with ν degrees of freedom (bisection on the CDF, to 1e-12). */
export function studentTQuantile(p: number, nu: number): number {
  if (!(p > 0 && p < 1) || !(nu > 0))
    throw new NmflabError('bad t quantile', { expected: '0 < p < 1 and ν > 0', found: `p=${p}, ν=${nu}` });
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, nu);
  let lo = 0,
    hi = 1;
  while (studentTCdf(hi, nu) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, nu) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

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
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  if (n === 1) return { n, mean, sd: 0 };
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
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
