import { stringify } from 'csv-stringify/sync';
import { NmflabError } from '../errors.js';
import { holm, pairedTests, summarize, type Summary } from '../stats.js';
import type { ComparedRun } from './compare.js';

/**
 * `nmflab compare` as a question answered: runs become observations (config flattened to
 * columns, metrics per source), are filtered, grouped (`--by`) and summarized (mean, std, 95 % CI
 * over seeds and files), pivoted, sorted, and methods are tested against the best of their group
 * with paired tests over the same units (seed and data by default).
 */

export type Cell = string | number | boolean | null;

/** One completed run as columns: flattened config, run facts, and its metrics by source. */
export interface Observation {
  run: string;
  columns: Record<string, Cell>;
  /** metric name → source ('' for a single value) → value. */
  metrics: Record<string, Record<string, number>>;
}

/** Run facts usable as columns besides the flattened config. */
const FACTS = ['run', 'experiment', 'status', 'stopReason'] as const;
/** Numeric run facts usable as metrics. */
const NUMERIC_FACTS = ['iterations', 'seconds'] as const;

function flattenInto(v: unknown, prefix: string, out: Record<string, Cell>): void {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flattenInto(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (v === undefined || v === null) out[prefix] = null;
  else if (typeof v === 'object') out[prefix] = JSON.stringify(v);
  else out[prefix] = v as Cell;
}

/** A config flattened to dotted columns (lists as JSON text). */
export function flattenConfig(config: Record<string, unknown>): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  flattenInto(config, '', out);
  return out;
}

const METRIC_KEY = /^(.*?)(?:\[(.*)\])?$/;

/** Split a run.json metric key `sdr[speech]` into metric and source. */
export function splitMetricKey(key: string): { metric: string; source: string } {
  const m = METRIC_KEY.exec(key)!;
  return { metric: m[1], source: m[2] ?? '' };
}

export function observations(runs: readonly ComparedRun[]): Observation[] {
  return runs.map((r) => {
    const columns: Record<string, Cell> = { ...flattenConfig(r.config) };
    const rec = r.record as unknown as Record<string, unknown>;
    for (const f of FACTS) columns[f] = (rec[f] as Cell | undefined) ?? null;
    columns.run = r.folder;
    if (columns.seed === undefined) columns.seed = r.record.seed;
    const metrics: Observation['metrics'] = {};
    for (const [k, v] of Object.entries(r.record.metrics ?? {})) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const { metric, source } = splitMetricKey(k);
      (metrics[metric] ??= {})[source] = v;
    }
    for (const f of NUMERIC_FACTS) {
      const v = rec[f];
      if (typeof v === 'number' && Number.isFinite(v)) metrics[f] = { '': v };
    }
    return { run: r.folder, columns, metrics };
  });
}

// ---------------------------------------------------------------------------------------------
// filters

export interface Filter {
  column: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';
  value: string;
}

const FILTER = /^([^=!<>~]+?)\s*(!=|<=|>=|=|<|>|~)\s*(.*)$/;

/** Parse `column=value` (also `!=`, `<`, `<=`, `>`, `>=`, `~` regular expression); a list value `a|b` means any of them. */
export function parseFilter(text: string, flag = '--filter'): Filter {
  const m = FILTER.exec(text.trim());
  if (!m)
    throw new NmflabError('invalid filter', {
      path: flag,
      expected: 'COLUMN=VALUE (or !=, <, <=, >, >=, ~REGEX), e.g. model.rank=20',
      found: JSON.stringify(text),
    });
  if (m[2] === '~') {
    try {
      new RegExp(m[3]);
    } catch {
      throw new NmflabError('invalid regular expression', {
        path: flag,
        expected: 'COLUMN~REGEX',
        found: JSON.stringify(text),
      });
    }
  }
  return { column: m[1].trim(), op: m[2] as Filter['op'], value: m[3].trim() };
}

function cellText(c: Cell | undefined): string {
  return c === undefined || c === null ? '' : String(c);
}

/** The value of a column or metric of an observation (a metric: its mean over sources). */
function lookup(o: Observation, column: string): Cell | undefined {
  if (column in o.columns) return o.columns[column];
  const src = splitMetricKey(column);
  const m = o.metrics[src.metric];
  if (!m) return undefined;
  if (src.source) return m[src.source];
  const v = Object.values(m);
  return v.reduce((a, b) => a + b, 0) / v.length;
}

function matches(o: Observation, f: Filter): boolean {
  const c = lookup(o, f.column);
  if (c === undefined) return false;
  const text = cellText(c);
  if (f.op === '~') return new RegExp(f.value).test(text);
  if (f.op === '=' || f.op === '!=') {
    const any = f.value.split('|').some((v) => v === text || (v !== '' && typeof c === 'number' && Number(v) === c));
    return f.op === '=' ? any : !any;
  }
  const a = typeof c === 'number' ? c : Number(text);
  const b = Number(f.value);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return f.op === '<' ? a < b : f.op === '<=' ? a <= b : f.op === '>' ? a > b : a >= b;
}

export function filterObservations(obs: readonly Observation[], filters: readonly Filter[]): Observation[] {
  for (const f of filters) {
    if (!obs.some((o) => lookup(o, f.column) !== undefined)) {
      throw new NmflabError('unknown column', {
        path: '--filter',
        expected: `a config column, run fact or metric (${knownColumns(obs).slice(0, 12).join(', ')}, …)`,
        found: JSON.stringify(f.column),
      });
    }
  }
  return obs.filter((o) => filters.every((f) => matches(o, f)));
}

/** Column names (config and facts) that differ between observations, then those that do not. */
export function knownColumns(obs: readonly Observation[]): string[] {
  const keys = [...new Set(obs.flatMap((o) => Object.keys(o.columns)))];
  const differs = (k: string) => new Set(obs.map((o) => cellText(o.columns[k]))).size > 1;
  return [...keys.filter(differs), ...keys.filter((k) => !differs(k))];
}

export function knownMetrics(obs: readonly Observation[]): string[] {
  return [...new Set(obs.flatMap((o) => Object.keys(o.metrics)))];
}

// ---------------------------------------------------------------------------------------------
// grouping and statistics

export interface CompareSpec {
  /** Metric names (`sdr` takes every source of sdr; `sdr[speech]` one source). */
  metrics: string[];
  /** Grouping columns; `source` splits per-source metrics into one group per source. */
  by: string[];
  /** Columns naming the unit that pairs observations across methods (default: seed and data.*). */
  pairOn?: string[];
  /** Confidence level (default 0.95). */
  level?: number;
}

export interface GroupRow {
  key: Record<string, Cell>;
  /** Observations per metric (over seeds and files; per-source values averaged unless `source` is a group column). */
  stats: Record<string, Summary>;
  /** The unit key → value of each metric, for the paired tests. */
  units: Record<string, Map<string, number>>;
}

function checkColumns(obs: readonly Observation[], cols: readonly string[], flag: string): void {
  const known = new Set(obs.flatMap((o) => Object.keys(o.columns)));
  known.add('source');
  for (const c of cols) {
    if (!known.has(c)) {
      const near = [...known].filter((k) => k.endsWith(`.${c}`) || k.includes(c) || c.startsWith(k)).slice(0, 3);
      throw new NmflabError('unknown column', {
        path: flag,
        expected: `a config column or run fact (differing here: ${
          knownColumns(obs)
            .filter((k) => k !== 'run')
            .slice(0, 8)
            .join(', ') || 'none'
        })`,
        found: JSON.stringify(c),
        hint: near.length ? `did you mean ${near.join(' or ')}?` : undefined,
      });
    }
  }
}

function checkMetrics(obs: readonly Observation[], metrics: readonly string[]): void {
  const known = knownMetrics(obs);
  for (const m of metrics) {
    const { metric, source } = splitMetricKey(m);
    const hit = obs.some((o) => o.metrics[metric] && (!source || o.metrics[metric][source] !== undefined));
    if (!hit)
      throw new NmflabError('unknown metric', {
        path: '--metrics',
        expected: `one of ${known.join(', ')}`,
        found: JSON.stringify(m),
      });
  }
}

/** The unit of an observation: the pairing columns' values (and the source when split by source). */
function unitOf(o: Observation, pairOn: readonly string[], source: string): string {
  const cols = pairOn.length ? pairOn : Object.keys(o.columns).filter((k) => k === 'seed' || k.startsWith('data.'));
  return JSON.stringify([...[...cols].sort().map((c) => [c, o.columns[c] ?? null]), source]);
}

/** Group and summarize: one row per distinct value of the `by` columns (first-seen order). */
export function groupObservations(obs: readonly Observation[], spec: CompareSpec): GroupRow[] {
  checkColumns(obs, spec.by, '--by');
  if (spec.pairOn) checkColumns(obs, spec.pairOn, '--pair-on');
  checkMetrics(obs, spec.metrics);
  const bySource = spec.by.includes('source');
  const groups = new Map<string, { key: Record<string, Cell>; values: Record<string, Map<string, number>> }>();
  for (const o of obs) {
    // per source when grouping by source, else one value per run (the mean over its sources)
    const perSource: [string, Record<string, number>][] = [];
    if (bySource) {
      const bySrc = new Map<string, Record<string, number>>();
      for (const m of spec.metrics) {
        const { metric, source } = splitMetricKey(m);
        for (const [s, v] of Object.entries(o.metrics[metric] ?? {})) {
          if (source && s !== source) continue;
          if (!bySrc.has(s)) bySrc.set(s, {});
          bySrc.get(s)![m] = v;
        }
      }
      perSource.push(...bySrc);
    } else {
      const vals: Record<string, number> = {};
      for (const m of spec.metrics) {
        const v = lookup(o, m);
        if (typeof v === 'number' && Number.isFinite(v)) vals[m] = v;
      }
      perSource.push(['', vals]);
    }
    for (const [source, vals] of perSource) {
      const key: Record<string, Cell> = {};
      for (const c of spec.by) key[c] = c === 'source' ? source : (o.columns[c] ?? null);
      const k = JSON.stringify(spec.by.map((c) => key[c]));
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { key, values: Object.fromEntries(spec.metrics.map((m) => [m, new Map()])) }));
      const unit = unitOf(o, spec.pairOn ?? [], source);
      for (const [m, v] of Object.entries(vals)) {
        if (g.values[m].has(unit)) {
          throw new NmflabError('two runs of one group share a unit', {
            path: '--by',
            expected:
              'group columns that, with the pairing columns (--pair-on, default seed and data.*), single out one run',
            found: `${JSON.stringify(key)} twice for ${unit}`,
            hint: 'add the column that differs to --by or --pair-on',
          });
        }
        g.values[m].set(unit, v);
      }
    }
  }
  return [...groups.values()].map((g) => ({
    key: g.key,
    units: g.values,
    stats: Object.fromEntries(
      Object.entries(g.values)
        .filter(([, v]) => v.size > 0)
        .map(([m, v]) => [m, summarize([...v.values()], spec.level ?? 0.95)]),
    ),
  }));
}

// ---------------------------------------------------------------------------------------------
// paired tests

export interface TestRow {
  /** The other grouping columns (the block the methods are compared within). */
  block: Record<string, Cell>;
  metric: string;
  best: Cell;
  other: Cell;
  pairs: number;
  /** mean(best − other). */
  meanDiff: number;
  t: number;
  tP: number;
  tPHolm: number;
  /** Cohen's d_z of the differences. */
  cohenDz: number;
  w: number;
  wP: number;
  wPHolm: number;
  wMethod: 'exact' | 'normal';
  /** Matched-pairs rank-biserial correlation. */
  rankBiserial: number;
}

/**
 * Within each block (the `by` columns other than `method`), the method with the best mean of
 * `metric` against each other method, on the units both have; Holm's correction over all the
 * rows (one family per test kind).
 */
export function pairedComparisons(
  groups: readonly GroupRow[],
  method: string,
  metric: string,
  better: 'higher' | 'lower' = 'higher',
): TestRow[] {
  if (!groups.length) return [];
  if (!(method in groups[0].key))
    throw new NmflabError('the tested column is not a group column', {
      path: '--test',
      expected: `one of the --by columns (${Object.keys(groups[0].key).join(', ')})`,
      found: JSON.stringify(method),
    });
  const blocks = new Map<string, GroupRow[]>();
  for (const g of groups) {
    const block = Object.fromEntries(Object.entries(g.key).filter(([k]) => k !== method));
    const k = JSON.stringify(block);
    blocks.set(k, [...(blocks.get(k) ?? []), g]);
  }
  const rows: Omit<TestRow, 'tPHolm' | 'wPHolm'>[] = [];
  for (const members of blocks.values()) {
    const scored = members.filter((g) => g.stats[metric]);
    if (scored.length < 2) continue;
    const sign = better === 'higher' ? 1 : -1;
    const best = scored.reduce((a, b) => (sign * b.stats[metric].mean > sign * a.stats[metric].mean ? b : a));
    for (const g of scored) {
      if (g === best) continue;
      const A = best.units[metric];
      const B = g.units[metric];
      const shared = [...A.keys()].filter((u) => B.has(u)).sort();
      if (shared.length < 2) continue;
      const r = pairedTests(
        shared.map((u) => A.get(u)!),
        shared.map((u) => B.get(u)!),
      );
      rows.push({
        block: Object.fromEntries(Object.entries(best.key).filter(([k]) => k !== method)),
        metric,
        best: best.key[method],
        other: g.key[method],
        pairs: r.n,
        meanDiff: r.meanDiff,
        t: r.t.statistic,
        tP: r.t.p,
        cohenDz: r.t.effect,
        w: r.wilcoxon.statistic,
        wP: r.wilcoxon.p,
        wMethod: r.wilcoxon.method,
        rankBiserial: r.wilcoxon.effect,
      });
    }
  }
  const tH = holm(rows.map((r) => r.tP));
  const wH = holm(rows.map((r) => r.wP));
  return rows.map((r, i) => ({ ...r, tPHolm: tH[i], wPHolm: wH[i] }));
}

// ---------------------------------------------------------------------------------------------
// tables

/** A table: column names and rows of cells (numbers kept as numbers for CSV/JSON). */
export interface Table {
  columns: string[];
  rows: Cell[][];
  /** Lines printed under the table (protocol, tests legend). */
  notes?: string[];
}

/** The grouped summary: group columns, n, then per metric mean, ±CI half-width, std, CI bounds. */
export function summaryTable(groups: readonly GroupRow[], by: readonly string[], metrics: readonly string[]): Table {
  const columns = [...by, 'n'];
  for (const m of metrics) columns.push(`${m}.mean`, `${m}.ci95`, `${m}.std`, `${m}.ciLow`, `${m}.ciHigh`);
  const rows = groups.map((g) => {
    const n = Math.max(0, ...metrics.map((m) => g.stats[m]?.n ?? 0));
    const row: Cell[] = [...by.map((c) => g.key[c] ?? null), n];
    for (const m of metrics) {
      const s = g.stats[m];
      row.push(
        s ? s.mean : null,
        s && Number.isFinite(s.ciHalf) ? s.ciHalf : null,
        s ? s.std : null,
        s && Number.isFinite(s.ciLow) ? s.ciLow : null,
        s && Number.isFinite(s.ciHigh) ? s.ciHigh : null,
      );
    }
    return row;
  });
  return { columns, rows };
}

/** Pivot one metric: `rows` columns down, `cols` columns across, cells mean ± CI (text) or the means (numbers). */
export function pivotTable(
  groups: readonly GroupRow[],
  rowCols: readonly string[],
  colCols: readonly string[],
  metric: string,
  numeric: boolean,
): Table {
  const keyOf = (g: GroupRow, cs: readonly string[]) => JSON.stringify(cs.map((c) => g.key[c] ?? null));
  const rowKeys = [...new Set(groups.map((g) => keyOf(g, rowCols)))];
  const colKeys = [...new Set(groups.map((g) => keyOf(g, colCols)))];
  const colName = (k: string) =>
    (JSON.parse(k) as Cell[])
      .map((v, i) => (colCols.length > 1 ? `${colCols[i]}=${cellText(v)}` : cellText(v)))
      .join(' ');
  const columns = [...rowCols];
  for (const ck of colKeys)
    numeric ? columns.push(`${colName(ck)}.mean`, `${colName(ck)}.ci95`) : columns.push(colName(ck));
  const rows = rowKeys.map((rk) => {
    const row: Cell[] = [...(JSON.parse(rk) as Cell[])];
    for (const ck of colKeys) {
      const g = groups.find((x) => keyOf(x, rowCols) === rk && keyOf(x, colCols) === ck);
      const s = g?.stats[metric];
      if (numeric) row.push(s ? s.mean : null, s && Number.isFinite(s.ciHalf) ? s.ciHalf : null);
      else row.push(s ? meanCi(s) : '');
    }
    return row;
  });
  return { columns, rows };
}

export function testTable(tests: readonly TestRow[], method: string): Table {
  const blockCols = [...new Set(tests.flatMap((t) => Object.keys(t.block)))];
  const columns = [
    ...blockCols,
    'metric',
    `best ${method}`,
    'vs',
    'pairs',
    'mean diff',
    't',
    'p (t)',
    'p (t, Holm)',
    'd_z',
    'W',
    'p (W)',
    'p (W, Holm)',
    'r (rank-biserial)',
  ];
  const rows = tests.map((t) => [
    ...blockCols.map((c) => t.block[c] ?? null),
    t.metric,
    t.best,
    t.other,
    t.pairs,
    t.meanDiff,
    finite(t.t),
    t.tP,
    t.tPHolm,
    finite(t.cohenDz),
    t.w,
    t.wP,
    t.wPHolm,
    t.rankBiserial,
  ]);
  return { columns, rows };
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** `5.23 ± 0.41` (3 significant decimals by magnitude). */
export function meanCi(s: Summary): string {
  return Number.isFinite(s.ciHalf) ? `${num(s.mean)} ± ${num(s.ciHalf)}` : `${num(s.mean)} (n=1)`;
}

function num(x: number): string {
  if (!Number.isFinite(x)) return '';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(2);
  return x.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : 3);
}

function pText(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

/** A cell for people: numbers rounded, `.mean`+`.ci95` columns merged into `mean ± ci` by {@link humanize}. */
function show(c: Cell, column: string): string {
  if (c === null) return '';
  if (typeof c === 'number') {
    if (/^p \(/.test(column)) return pText(c);
    if (Number.isInteger(c)) return String(c);
    return num(c);
  }
  return String(c);
}

/** For the terminal and Markdown: `<m>.mean` and `<m>.ci95` shown as one `<m> (mean ± 95% CI)` column; bounds dropped. */
function humanize(t: Table): Table {
  const out: string[] = [];
  const pick: ((r: Cell[]) => string)[] = [];
  t.columns.forEach((c, j) => {
    if (c.endsWith('.ciLow') || c.endsWith('.ciHigh') || c.endsWith('.ci95')) return;
    if (c.endsWith('.mean')) {
      const base = c.slice(0, -5);
      const k = t.columns.indexOf(`${base}.ci95`);
      out.push(`${base} (mean ± 95% CI)`);
      pick.push((r) =>
        r[j] === null
          ? ''
          : k >= 0 && r[k] !== null
            ? `${num(r[j] as number)} ± ${num(r[k] as number)}`
            : `${num(r[j] as number)}`,
      );
      return;
    }
    out.push(c);
    pick.push((r) => show(r[j] ?? null, c));
  });
  return { columns: out, rows: t.rows.map((r) => pick.map((f) => f(r))), notes: t.notes };
}

export type TableFormat = 'table' | 'csv' | 'markdown' | 'json';

/** Render tables one after another (CSV/JSON keep full-precision numbers). */
export function renderTables(tables: readonly { title: string; table: Table }[], format: TableFormat): string {
  if (format === 'json') {
    const doc = Object.fromEntries(
      tables.map(({ title, table }) => [
        title,
        table.rows.map((r) => Object.fromEntries(table.columns.map((c, j) => [c, r[j] ?? null]))),
      ]),
    );
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  if (format === 'csv') {
    return tables
      .map(
        ({ title, table }) =>
          (tables.length > 1 ? `# ${title}\n` : '') +
          stringify([table.columns, ...table.rows.map((r) => r.map((c) => (c === null ? '' : c)))]),
      )
      .join('\n');
  }
  return tables
    .map(({ title, table }) => {
      const h = humanize(table);
      const grid = [h.columns, ...(h.rows as string[][])];
      const numeric = h.columns.map(
        (_, j) =>
          h.rows.length > 0 &&
          h.rows.every((r) => r[j] === '' || /^[-+]?[\d.]+(e[-+]?\d+)?( ± [\d.e+-]+)?$/.test(String(r[j]))),
      );
      const notes = (table.notes ?? []).map((n) => (format === 'markdown' ? `\n${n}` : `  ${n}`));
      if (format === 'markdown') {
        const esc = (s: string) => s.replace(/\|/g, '\\|');
        const lines = [
          `| ${h.columns.map(esc).join(' | ')} |`,
          `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
          ...(h.rows as string[][]).map((r) => `| ${r.map(esc).join(' | ')} |`),
        ];
        return `**${title}**\n\n${lines.join('\n')}\n${notes.join('\n')}${notes.length ? '\n' : ''}`;
      }
      const widths = h.columns.map((_, j) => Math.max(...grid.map((row) => String(row[j]).length)));
      const line = (row: string[]) =>
        row
          .map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j])))
          .join('  ')
          .trimEnd();
      return `${[`${title}`, line(h.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...(h.rows as string[][]).map(line), ...notes].join('\n')}\n`;
    })
    .join('\n');
}

/** Sort rows by a column (`-col` descending); numbers numerically, text lexically, empty last. */
export function sortTable(t: Table, spec: string): Table {
  // `-col` or `col:desc` descending, `col` or `col:asc` ascending
  const m = /^(-)?(.*?)(?::(asc|desc))?$/.exec(spec.trim())!;
  const desc = m[1] === '-' || m[3] === 'desc';
  const name = m[2];
  let j = t.columns.indexOf(name);
  if (j < 0) j = t.columns.indexOf(`${name}.mean`);
  if (j < 0)
    throw new NmflabError('unknown sort column', {
      path: '--sort',
      expected: `one of ${t.columns.join(', ')} (COLUMN:desc or --sort=-COLUMN for descending)`,
      found: JSON.stringify(spec),
    });
  const rows = [...t.rows].sort((a, b) => {
    const x = a[j] ?? null;
    const y = b[j] ?? null;
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    const c =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x).localeCompare(String(y), undefined, { numeric: true });
    return desc ? -c : c;
  });
  return { ...t, rows };
}
