import {
  NmflabError,
  collectRuns,
  compareCsv,
  compareRuns,
  formatTable,
  renderTables,
  writeFileAtomic,
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
      const format = argv.format as TableFormat;
      const pivot = argv.pivot ? parsePivot(argv.pivot) : undefined;
      const result = compareRuns(collectRuns(argv.dirs as string[]), {
        metrics: list(argv.metrics),
        by: list(argv.by),
        pivot,
        filters: list(argv.filter),
        sort: argv.sort,
        test: argv.test,
        pairOn: argv['pair-on'] ? list(argv['pair-on']) : undefined,
        better: argv.better as 'higher' | 'lower',
        level: argv.level,
        numericPivot: format === 'csv' || format === 'json',
      });
      if (result.kind === 'runs') {
        const { table, rows } = result;
        if (format === 'table')
          process.stdout.write(
            formatTable(table.rows.map((r) => Object.fromEntries(table.columns.map((c, j) => [c, r[j]])))),
          );
        else process.stdout.write(renderTables([{ title: 'runs', table }], format));
        if (argv.csv) {
          writeFileAtomic(argv.csv, compareCsv(rows));
          process.stderr.write(`nmflab: wrote ${argv.csv}\n`);
        }
        return;
      }
      const text = renderTables(result.tables, format);
      if (argv.output) {
        writeFileAtomic(argv.output, text);
        process.stderr.write(`nmflab: wrote ${argv.output}\n`);
      } else process.stdout.write(text);
      if (argv.csv) {
        writeFileAtomic(argv.csv, renderTables([result.tables[0]], 'csv'));
        process.stderr.write(`nmflab: wrote ${argv.csv}\n`);
      }
    },
  );
}
