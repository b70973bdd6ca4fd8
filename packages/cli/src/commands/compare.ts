import { collectRuns, compareCsv, compareRows, formatTable, writeFileAtomic } from '@nmflab/core';
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../main.js';

/** `nmflab compare DIR...`: a table of runs — parameters that differ, final metrics, iterations, time. */
export function compareCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'compare <dirs..>',
    'Tabulate runs (run, sweep or experiment folders): differing parameters, metrics, iterations, time',
    (a) =>
      a
        .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'folders holding runs' })
        .option('csv', { type: 'string', describe: 'also write the table as CSV to this file' }),
    (argv) => {
      const rows = compareRows(collectRuns(argv.dirs as string[]));
      process.stdout.write(formatTable(rows));
      if (argv.csv) {
        writeFileAtomic(argv.csv, compareCsv(rows));
        process.stderr.write(`nmflab: wrote ${argv.csv}\n`);
      }
    },
  );
}
