import { relative } from 'node:path';
import { summarizeSweepFolder } from '@nmflab/core';
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../main.js';

/** `nmflab summarize DIR`: rebuild a sweep folder's summary.csv from its run folders. */
export function summarizeCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'summarize <dir>',
    'Rebuild summary.csv of a sweep folder from its run folders (e.g. while queue workers run it)',
    (a) => a.positional('dir', { type: 'string', demandOption: true, describe: 'the sweep folder (results/<name>/<stamp>)' }),
    (argv) => {
      const { runs, records } = summarizeSweepFolder(argv.dir);
      const count = (s: string) => records.filter((r) => r?.status === s).length;
      const done = count('completed');
      const failed = count('failed');
      process.stdout.write(`${relative(process.cwd(), argv.dir) || '.'}/summary.csv: ${runs} runs, ${done} completed, ${failed} failed, ${runs - done - failed} to do\n`);
    },
  );
}
