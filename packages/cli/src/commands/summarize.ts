import { relative } from 'node:path';
import { formatInterval, summarizeSweepFolder } from '@nmflab/core';
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../args.js';

/**
 * `nmflab summarize DIR`: rebuild a sweep folder's summary.csv from its run folders, and for a
 * sweep over corpus items or seeds its aggregate.csv, printed as mean ± 95 % CI per group.
 */
export function summarizeCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'summarize <dir>',
    'Rebuild summary.csv (and aggregate.csv: mean ± 95 % CI over items × seeds) of a sweep folder from its run folders',
    (a) =>
      a
        .positional('dir', {
          type: 'string',
          demandOption: true,
          describe: 'the sweep folder (results/<name>/<stamp>)',
        })
        .option('metric', {
          type: 'string',
          array: true,
          describe: 'print only the aggregate rows of metrics whose name contains one of these',
        }),
    (argv) => {
      const { runs, records, aggregate } = summarizeSweepFolder(argv.dir);
      const count = (s: string) => records.filter((r) => r?.status === s).length;
      const done = count('completed');
      const failed = count('failed');
      const where = relative(process.cwd(), argv.dir) || '.';
      process.stdout.write(
        `${where}/summary.csv: ${runs} runs, ${done} completed, ${failed} failed, ${runs - done - failed} to do\n`,
      );
      if (!aggregate) return;
      process.stdout.write(`${where}/aggregate.csv: mean ± 95 % CI (Student t over items × seeds)\n`);
      const wanted = (m: string) => !argv.metric?.length || argv.metric.some((w) => m.includes(w));
      let previous = '';
      for (const r of aggregate) {
        if (!wanted(r.metric)) continue;
        const group = Object.entries(r.group)
          .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
          .join(' ');
        if (group !== previous) process.stdout.write(`${group || '(all runs)'}\n`);
        previous = group;
        process.stdout.write(`  ${r.metric}: ${formatInterval(r)}\n`);
      }
    },
  );
}
