import {
  NmflabError,
  collectRuns,
  compareCsv,
  compareRows,
  filterObservations,
  formatTable,
  groupObservations,
  knownMetrics,
  observations,
  pairedComparisons,
  parseFilter,
  pivotTable,
  renderTables,
  sortTable,
  summaryTable,
  testTable,
  writeFileAtomic,
  type Table,
  type TableFormat,
} from '@nmflab/core';
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../args.js';

const list = (v: unknown): string[] =>
  ([] as unknown[])
    .concat(v ?? [])
    .flatMap((x) => String(x).split(','))
    .map((s) => s.trim())
    .filter(Boolean);

/** `rows×cols` (or `rows x cols`, `rows/cols`), each side a comma list. */
function parsePivot(text: string): { rows: string[]; cols: string[] } {
  const parts = text.split(/\s*(?:×|\bx\b|\/)\s*/);
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new NmflabError('invalid pivot', {
      path: '--pivot',
      expected: 'ROWS×COLS, e.g. model.solver.id×model.rank (also ROWS/COLS)',
      found: JSON.stringify(text),
    });
  return { rows: list(parts[0]), cols: list(parts[1]) };
}

/**
 * `nmflab compare DIR...`: without --by/--pivot a table of runs (parameters that differ, metrics,
 * iterations, time); with them the runs grouped and summarized (mean ± 95 % CI over seeds and
 * files), and with --test paired tests of the best method of each group against the others.
 */
export function compareCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'compare <dirs..>',
    'Compare runs (run, sweep or experiment folders): a run table, or grouped means ± 95% CI, pivots and paired tests',
    (a) =>
      a
        .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'folders holding runs' })
        .option('metrics', {
          type: 'string',
          array: true,
          describe:
            'metrics to show, comma-separated: sdr (every source, averaged per run unless --by source) or sdr[speech]; also iterations, seconds',
        })
        .option('by', {
          type: 'string',
          array: true,
          describe: 'group by these columns (config paths like model.solver.id, or source, experiment, stopReason)',
        })
        .option('pivot', {
          type: 'string',
          describe: 'ROWS×COLS: the first metric as mean ± CI, ROWS down and COLS across',
        })
        .option('filter', {
          type: 'string',
          array: true,
          default: [],
          describe: 'keep runs where COLUMN=VALUE (a|b for any of), !=, <, <=, >, >=, ~REGEX; repeatable',
        })
        .option('sort', {
          type: 'string',
          describe:
            'sort by this column (the metric name sorts by its mean); COLUMN:desc (or --sort=-COLUMN) for descending',
        })
        .option('test', {
          type: 'string',
          describe:
            'the method column (one of --by): the best method of each group against every other, paired over the same units',
        })
        .option('pair-on', {
          type: 'string',
          array: true,
          describe: 'columns naming the unit that pairs runs across methods (default: seed and data.*)',
        })
        .option('better', {
          type: 'string',
          choices: ['higher', 'lower'],
          default: 'higher',
          describe: 'which way the first metric is better (picks the best method)',
        })
        .option('level', { type: 'number', default: 0.95, describe: 'confidence level of the intervals' })
        .option('format', {
          type: 'string',
          choices: ['table', 'csv', 'markdown', 'json'],
          default: 'table',
          describe: 'output format',
        })
        .option('output', { type: 'string', describe: 'write the output to this file instead of the terminal' })
        .option('csv', { type: 'string', describe: 'also write the (first) table as CSV to this file' }),
    (argv) => {
      const runs = collectRuns(argv.dirs as string[]);
      const metricsArg = list(argv.metrics);
      const by = list(argv.by);
      const pivot = argv.pivot ? parsePivot(argv.pivot) : undefined;
      const filters = list(argv.filter).map((f) => parseFilter(f));
      const format = argv.format as TableFormat;
      const level = argv.level;
      if (!(level > 0 && level < 1))
        throw new NmflabError('invalid confidence level', {
          path: '--level',
          expected: 'a number in (0, 1)',
          found: String(level),
        });
      const tables: { title: string; table: Table }[] = [];
      let obs = observations(runs);
      obs = filterObservations(obs, filters);
      if (!obs.length)
        throw new NmflabError('no run left after the filters', {
          path: '--filter',
          expected: 'filters some run matches',
          found: list(argv.filter).join(' '),
        });

      if (!by.length && !pivot) {
        if (argv.test)
          throw new NmflabError('--test needs groups', {
            path: '--test',
            expected: '--by with the method column among its columns',
          });
        // The plain run table (the parameters that differ, metrics, iterations, time).
        const keep = new Set(obs.map((o) => o.run));
        let rows = compareRows(runs.filter((r) => keep.has(r.folder)));
        if (metricsArg.length) {
          const known = knownMetrics(obs);
          for (const m of metricsArg)
            if (!known.includes(m.replace(/\[.*\]$/, '')))
              throw new NmflabError('unknown metric', {
                path: '--metrics',
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
        if (argv.sort) table = sortTable(table, argv.sort);
        if (format === 'table')
          process.stdout.write(
            formatTable(table.rows.map((r) => Object.fromEntries(columns.map((c, j) => [c, r[j]])))),
          );
        else process.stdout.write(renderTables([{ title: 'runs', table }], format));
        if (argv.csv) {
          writeFileAtomic(argv.csv, compareCsv(rows));
          process.stderr.write(`nmflab: wrote ${argv.csv}\n`);
        }
        return;
      }

      const groupBy = pivot ? [...pivot.rows, ...pivot.cols.filter((c) => !pivot.rows.includes(c))] : by;
      const metrics = metricsArg.length ? metricsArg : ['sdr'].filter((m) => knownMetrics(obs).includes(m));
      if (!metrics.length)
        throw new NmflabError('no metric chosen', {
          path: '--metrics',
          expected: `some of ${knownMetrics(obs).join(', ')}`,
        });
      const groups = groupObservations(obs, {
        metrics,
        by: groupBy,
        pairOn: argv['pair-on'] ? list(argv['pair-on']) : undefined,
        level,
      });
      const pct = `${Math.round(level * 1000) / 10}%`;
      const protocol = `n = runs per group (seeds × data files${groupBy.includes('source') ? ', per source' : '; per-source metrics averaged per run'}); ± is the half-width of the ${pct} Student-t interval of the mean.`;
      let summary = pivot
        ? pivotTable(groups, pivot.rows, pivot.cols, metrics[0], format === 'csv' || format === 'json')
        : summaryTable(groups, groupBy, metrics);
      if (argv.sort) summary = sortTable(summary, argv.sort);
      summary.notes = [protocol.replace('95%', pct)];
      tables.push({
        title: pivot
          ? `${metrics[0]} (mean ± ${pct} CI): ${pivot.rows.join(',')} × ${pivot.cols.join(',')}`
          : `${metrics.join(', ')} by ${groupBy.join(', ')}`,
        table: summary,
      });
      if (argv.test) {
        const tests = pairedComparisons(groups, argv.test, metrics[0], argv.better as 'higher' | 'lower');
        const table = testTable(tests, argv.test);
        table.notes = [
          `Best ${argv.test} (${argv.better} mean ${metrics[0]}) in each group against each other, paired over ${argv['pair-on'] ? list(argv['pair-on']).join(', ') : 'seed and data'}: paired t-test (d_z = mean/sd of the differences) and Wilcoxon signed-rank (exact up to 50 pairs without zero differences; r = matched-pairs rank-biserial); Holm-corrected over the ${tests.length} comparisons of each test.`,
        ];
        tables.push({ title: `paired tests on ${metrics[0]}`, table });
      }
      const text = renderTables(tables, format);
      if (argv.output) {
        writeFileAtomic(argv.output, text);
        process.stderr.write(`nmflab: wrote ${argv.output}\n`);
      } else process.stdout.write(text);
      if (argv.csv) {
        writeFileAtomic(argv.csv, renderTables([tables[0]], 'csv'));
        process.stderr.write(`nmflab: wrote ${argv.csv}\n`);
      }
    },
  );
}
