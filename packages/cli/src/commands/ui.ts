import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../args.js';
import { reportOptions } from './report.js';

/** `nmflab ui`: the run browser on 127.0.0.1 until Ctrl-C (exit 130, as every interrupted command). */
export function uiCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'ui',
    'Browse a results folder in the web browser (127.0.0.1 only): runs from the run store, filter, sort, compare, plots, reports, audio',
    (a) =>
      a
        .option('results', {
          type: 'string',
          default: 'results',
          describe: 'the results folder (nmflab run --out)',
        })
        .option('port', { type: 'number', default: 0, describe: 'port to listen on (0: a free one)' })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'loopback address to bind' }),
    async (argv) => {
      const { startUi } = await import('@nmflab/report/ui');
      const ui = await startUi({
        results: resolve(argv.results),
        host: argv.host,
        port: argv.port,
        log: (line) => process.stderr.write(`nmflab: ${line}\n`),
        report: reportOptions(argv.plugin ?? [], undefined, true),
      });
      process.stdout.write(`nmflab ui: ${ui.url} (Ctrl-C stops)\n`);
      await new Promise<void>((done) => {
        process.once('SIGINT', () => {
          void ui.close().then(() => {
            process.exitCode = 130;
            done();
          });
        });
      });
    },
  );
}
