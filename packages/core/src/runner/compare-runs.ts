import { NmflabError } from '../errors.js';
import { type ComparedRun, compareRows } from './compare.js';
import {
  filterObservations,
  groupObservations,
  knownMetrics,
  observations,
  pairedComparisons,
  parseFilter,
  pivotTable,
  sortTable,
  summaryTable,
  type Table,
  testTable,
} from './comparison.js';

/**
 * The comparison that `nmflab compare` prints and `nmflab ui` shows, as data: one pipeline, so the
 * two can never disagree. Without `by`/`pivot` it is the run table (parameters that differ,
 * metrics, iterations, time); with them the runs grouped and summarized (mean ± CI over seeds and
 * files), and with `test` the best method of each group against each other, paired.
 */
export interface CompareOptions {
  /** Metric names (`sdr`, `sdr[speech]`, `iterations`, …); empty: every metric (run table) or `sdr`. */
  metrics?: readonly string[];
  /** Group by these columns (config paths, `source`, `experiment`, `stopReason`). */
  by?: readonly string[];
  /** Rows × columns of a pivot of the first metric. */
  pivot?: { rows: readonly string[]; cols: readonly string[] };
  /** `COLUMN=VALUE`, `!=`, `<`, `~REGEX` … as `nmflab compare --filter`. */
  filters?: readonly string[];
  /** Sort by this column (`COLUMN:desc` or `-COLUMN` descending). */
  sort?: string;
  /** The method column of the paired tests (one of `by`). */
  test?: string;
  /** Columns naming the unit that pairs runs across methods (default: seed and data.*). */
  pairOn?: readonly string[];
  better?: 'higher' | 'lower';
  /** Confidence level of the intervals, in (0, 1). */
  level?: number;
  /** Pivot cells as numbers (for CSV/JSON) rather than "mean ± ci" text. */
  numericPivot?: boolean;
  /** The names of the options as the caller shows them (CLI flags by default). */
  names?: Partial<Record<'metrics' | 'filter' | 'test' | 'level', string>>;
}

export type CompareResult =
  /** The plain run table: `rows` as records (the CSV of `compare --csv`), `table` in columns. */
  | { kind: 'runs'; table: Table; rows: Record<string, unknown>[] }
  /** Grouped summary (or pivot), then the paired tests if asked. */
  | { kind: 'groups'; tables: { title: string; table: Table }[] };

export function compareRuns(runs: readonly ComparedRun[], opts: CompareOptions = {}): CompareResult {
  const name = { metrics: '--metrics', filter: '--filter', test: '--test', level: '--level', ...opts.names };
  const metricsArg = [...(opts.metrics ?? [])];
  const pivot = opts.pivot;
  const by = [...(opts.by ?? [])];
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1))
    throw new NmflabError('invalid confidence level', {
      path: name.level,
      expected: 'a number in (0, 1)',
      found: String(level),
    });
  const filterTexts = opts.filters ?? [];
  const obs = filterObservations(
    observations(runs),
    filterTexts.map((f) => parseFilter(f, name.filter)),
  );
  if (!obs.length)
    throw new NmflabError('no run left after the filters', {
      path: name.filter,
      expected: 'filters some run matches',
      found: filterTexts.join(' '),
    });

  if (!by.length && !pivot) {
    if (opts.test)
      throw new NmflabError('--test needs groups', {
        path: name.test,
        expected: '--by with the method column among its columns',
      });
    const keep = new Set(obs.map((o) => o.run));
    let rows = compareRows(runs.filter((r) => keep.has(r.folder)));
    if (metricsArg.length) {
      const known = knownMetrics(obs);
      for (const m of metricsArg)
        if (!known.includes(m.replace(/\[.*\]$/, '')))
          throw new NmflabError('unknown metric', {
            path: name.metrics,
            expected: `one of ${known.join(', ')}`,
            found: JSON.stringify(m),
          });
      const pick = (k: string) => metricsArg.some((m) => k === m || (!m.includes('[') && k.startsWith(`${m}[`)));
      const metricKeys = new Set(runs.flatMap((r) => Object.keys(r.record.metrics ?? {})));
      rows = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !metricKeys.has(k) || pick(k))));
    }
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    let table: Table = {
      columns,
      rows: rows.map((r) => columns.map((c) => (r[c] === undefined ? null : (r[c] as never)))),
    };
    if (opts.sort) table = sortTable(table, opts.sort);
    return { kind: 'runs', table, rows };
  }

  const groupBy = pivot ? [...pivot.rows, ...pivot.cols.filter((c) => !pivot.rows.includes(c))] : by;
  const metrics = metricsArg.length ? metricsArg : ['sdr'].filter((m) => knownMetrics(obs).includes(m));
  if (!metrics.length)
    throw new NmflabError('no metric chosen', {
      path: name.metrics,
      expected: `some of ${knownMetrics(obs).join(', ')}`,
    });
  const pairOn = opts.pairOn ? [...opts.pairOn] : undefined;
  const groups = groupObservations(obs, { metrics, by: groupBy, pairOn, level });
  const pct = `${Math.round(level * 1000) / 10}%`;
  const protocol = `n = runs per group (seeds × data files${groupBy.includes('source') ? ', per source' : '; per-source metrics averaged per run'}); ± is the half-width of the ${pct} Student-t interval of the mean.`;
  let summary = pivot
    ? pivotTable(groups, pivot.rows, pivot.cols, metrics[0], opts.numericPivot ?? false)
    : summaryTable(groups, groupBy, metrics);
  if (opts.sort) summary = sortTable(summary, opts.sort);
  summary.notes = [protocol];
  const tables: { title: string; table: Table }[] = [
    {
      title: pivot
        ? `${metrics[0]} (mean ± ${pct} CI): ${pivot.rows.join(',')} × ${pivot.cols.join(',')}`
        : `${metrics.join(', ')} by ${groupBy.join(', ')}`,
      table: summary,
    },
  ];
  if (opts.test) {
    const better = opts.better ?? 'higher';
    const tests = pairedComparisons(groups, opts.test, metrics[0], better);
    const table = testTable(tests, opts.test);
    table.notes = [
      `Best ${opts.test} (${better} mean ${metrics[0]}) in each group against each other, paired over ${opts.pairOn ? opts.pairOn.join(', ') : 'seed and data'}: paired t-test (d_z = mean/sd of the differences) and Wilcoxon signed-rank (exact up to 50 pairs without zero differences; r = matched-pairs rank-biserial); Holm-corrected over the ${tests.length} comparisons of each test.`,
    ];
    tables.push({ title: `paired tests on ${metrics[0]}`, table });
  }
  return { kind: 'groups', tables };
}
