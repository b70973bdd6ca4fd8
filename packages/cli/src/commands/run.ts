import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { NmflabError, runExperiment, type RunEvent } from '@nmflab/core';
import type { Argv } from 'yargs';
import { createRunEnv, packageVersions } from '../container.js';
import type { GlobalArgs } from '../main.js';

/**
 * `nmflab run CONFIG.yaml`: validate, expand the sweep, run on worker threads, write the run
 * folders; Ctrl-C marks running runs `interrupted` and exits 130; `--resume DIR` completes a sweep.
 */
export function runCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'run [config]',
    'Run a YAML experiment (with its sweep) into results/<name>/<stamp>/',
    (a) =>
      a
        .positional('config', { type: 'string', describe: 'the experiment YAML file' })
        .option('out', { type: 'string', default: 'results', describe: 'results root folder' })
        .option('set', { type: 'string', array: true, default: [], describe: 'override a value: path=value (YAML scalar), repeatable' })
        .option('sweep', { type: 'string', array: true, default: [], describe: 'sweep a value: path=[a,b] | range(from,to,step) | logspace(from,to,num), repeatable' })
        .option('jobs', { type: 'number', describe: 'parallel runs (worker threads); default: the core count' })
        .option('resume', { type: 'string', describe: 'complete the unfinished runs of this sweep folder' })
        .option('quiet', { type: 'boolean', default: false, describe: 'print only where the results went' }),
    async (argv) => {
      if (!argv.config && !argv.resume) throw new NmflabError('no config given', { expected: 'nmflab run CONFIG.yaml, or --resume DIR' });
      if (argv.resume && (argv.config || argv.set.length || argv.sweep.length || argv.plugin?.length)) {
        throw new NmflabError('--resume takes no config, --set, --sweep or --plugin', { hint: 'a resumed sweep runs exactly as it was planned (sweep.yaml)' });
      }
      const jobs = argv.jobs ?? availableParallelism();
      if (!Number.isInteger(jobs) || jobs < 1) throw new NmflabError('bad --jobs', { expected: 'an integer ≥ 1', found: String(argv.jobs) });
      const controller = new AbortController();
      let sigints = 0;
      const onSigint = () => {
        sigints++;
        if (sigints > 1) process.exit(130); // second Ctrl-C: give up waiting
        process.stderr.write('\nnmflab: interrupting — finishing the current iteration of each running run\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      const tty = Boolean(process.stderr.isTTY) && !argv.quiet;
      const log = (s: string) => {
        if (!argv.quiet) process.stderr.write(s + '\n');
      };
      let bar: SingleBar | undefined;
      let total = 0;
      let doneRuns = 0;
      const progress = new Map<number, number>();
      let maxIt = 1;
      const update = () => {
        if (!bar) return;
        let partial = 0;
        for (const v of progress.values()) partial += v;
        bar.update(Math.min(total, doneRuns + partial), { runs: `${doneRuns}/${total}` });
      };
      const onEvent = (e: RunEvent) => {
        if (e.type === 'planned') {
          total = e.pending;
          doneRuns = 0;
          log(`nmflab: ${e.total} run${e.total === 1 ? '' : 's'}${e.pending < e.total ? ` (${e.pending} to do)` : ''} → ${relative(process.cwd(), e.dir) || '.'}`);
          if (tty && total > 0) {
            bar = new SingleBar({ format: '  {bar} {percentage}% | runs {runs} | {duration_formatted} elapsed, eta {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
            bar.start(total, 0, { runs: `0/${total}` });
          }
        } else if (e.type === 'progress') {
          maxIt = Math.max(1, e.max);
          progress.set(e.index, Math.min(1, e.iteration / maxIt));
          update();
        } else if (e.type === 'end') {
          progress.delete(e.index);
          doneRuns++;
          update();
          const r = e.record;
          if (!tty) {
            const extra = r.status === 'completed' ? `${r.iterations ?? 0} iterations, ${r.stopReason ?? ''}, ${(r.seconds ?? 0).toFixed(2)} s` : r.error ?? '';
            log(`  ${e.name} ${r.status}${extra ? ` (${extra})` : ''}`);
          } else if (r.status === 'failed') {
            bar?.stop();
            log(`  ${e.name} failed: ${r.error ?? ''}`);
            bar?.start(total, doneRuns, { runs: `${doneRuns}/${total}` });
          }
        }
      };
      let result;
      try {
        result = await runExperiment({
          configFile: argv.config,
          sets: argv.set,
          sweeps: argv.sweep,
          plugins: argv.plugin,
          outDir: argv.out,
          resume: argv.resume,
          jobs,
          createRunEnv,
          workerSetupModule: new URL('../container.js', import.meta.url).href,
          signal: controller.signal,
          onEvent,
          packages: packageVersions(),
        });
      } finally {
        bar?.stop();
        process.off('SIGINT', onSigint);
      }
      const where = relative(process.cwd(), result.dir) || '.';
      const counts = `${result.completed} completed${result.failed ? `, ${result.failed} failed` : ''}`;
      if (result.interrupted) {
        process.stderr.write(`nmflab: interrupted (${counts}); complete it with: nmflab run --resume ${where}\n`);
        process.stdout.write(`${where}\n`);
        process.exitCode = 130;
        return;
      }
      log(`nmflab: ${counts}`);
      process.stdout.write(`results in ${where}\n`);
      if (result.failed) process.exitCode = 1;
    },
  );
}
