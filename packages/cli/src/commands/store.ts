import { relative, resolve } from 'node:path';
import { NmflabError, renderTables, type TableFormat } from '@nmflab/core';
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../args.js';

/** DuckDB loads only for these commands (its native module costs start-up time). */
const store = () => import('@nmflab/report/store');

const log = (quiet: boolean) => (quiet ? undefined : (line: string) => process.stderr.write(`nmflab: ${line}\n`));

/** `nmflab query "SELECT …"` and `nmflab export --parquet DIR`: the run store of a results folder. */
export function storeCommands(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y
    .command(
      'query <sql>',
      'Ask the run index of a results folder in SQL (DuckDB): tables runs, params, metrics, trajectories; views results, run_metrics',
      (a) =>
        a
          .positional('sql', { type: 'string', demandOption: true, describe: 'a SELECT statement' })
          .option('results', {
            type: 'string',
            default: 'results',
            describe: 'the results folder indexed (nmflab run --out)',
          })
          .option('format', {
            type: 'string',
            choices: ['table', 'csv', 'markdown', 'json'],
            default: 'table',
            describe: 'output format',
          })
          .option('quiet', { type: 'boolean', default: false, describe: 'no index progress line' }),
      async (argv) => {
        const { withStore } = await store();
        const r = await withStore(resolve(argv.results), (s) => s.query(argv.sql as string), { log: log(argv.quiet) });
        process.stdout.write(
          renderTables([{ title: 'query', table: r }], argv.format as TableFormat).replace(/^query\n/, ''),
        );
      },
    )
    .command(
      'export',
      'Export the run index of a results folder, one file per table (runs, params, metrics, trajectories, results, run_metrics), for pandas, polars, R',
      (a) =>
        a
          .option('parquet', { type: 'string', describe: 'write .parquet files into this folder' })
          .option('csv', { type: 'string', describe: 'write .csv files (with a header) into this folder' })
          .option('results', {
            type: 'string',
            default: 'results',
            describe: 'the results folder indexed (nmflab run --out)',
          })
          .option('tables', { type: 'string', array: true, describe: 'only these tables/views (comma-separated)' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print only the files written' }),
      async (argv) => {
        if (!argv.parquet && !argv.csv)
          throw new NmflabError('nothing to export to', {
            path: '--parquet',
            expected: 'a folder for the .parquet files (or --csv FOLDER)',
          });
        const { withStore, STORE_TABLES } = await store();
        const tables = argv.tables
          ? ([] as string[])
              .concat(argv.tables)
              .flatMap((t) => t.split(','))
              .filter(Boolean)
          : [...STORE_TABLES];
        for (const t of tables)
          if (!(STORE_TABLES as readonly string[]).includes(t))
            throw new NmflabError('unknown table', {
              path: '--tables',
              expected: `some of ${STORE_TABLES.join(', ')}`,
              found: JSON.stringify(t),
            });
        const files = await withStore(
          resolve(argv.results),
          async (s) => [
            ...(argv.parquet ? await s.exportTables(resolve(argv.parquet), 'parquet', tables) : []),
            ...(argv.csv ? await s.exportTables(resolve(argv.csv), 'csv', tables) : []),
          ],
          { log: log(argv.quiet) },
        );
        for (const f of files) process.stdout.write(`${relative(process.cwd(), f) || f}\n`);
      },
    );
}
