import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { NmflabError, runExperiment, type RunEvent } from '@nmflab/core';
import type { Argv } from 'yargs';
// BullMQ loads only for --queue (it costs ~0.15 s at every start otherwise).
import { DEFAULT_QUEUE_NAME, parseQueueUrl } from '@nmflab/queue/connection';
import type { SubmitEvent } from '@nmflab/queue';
import { createRunEnv, packageVersions } from '../container.js';
import type { GlobalArgs } from '../args.js';
import { reportOptions } from './report.js';
import { stderrProgress } from '../progress.js';

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
        .option('set', {
          type: 'string',
          array: true,
          default: [],
          describe: 'override a value: path=value (YAML scalar), repeatable',
        })
        .option('sweep', {
          type: 'string',
          array: true,
          default: [],
          describe: 'sweep a value: path=[a,b] | range(from,to,step) | logspace(from,to,num), repeatable',
        })
        .option('jobs', { type: 'number', describe: 'parallel runs (worker threads); default: the core count' })
        .option('resume', { type: 'string', describe: 'complete the unfinished runs of this sweep folder' })
        .option('quiet', { type: 'boolean', default: false, describe: 'print only where the results went' })
        .option('report', {
          type: 'boolean',
          default: false,
          describe: 'write report.html (nmflab report) into the sweep folder at the end',
        })
        .option('queue', {
          type: 'string',
          describe:
            'enqueue the runs on this Redis (redis://HOST:PORT/DB) for nmflab worker processes, instead of running them here',
        })
        .option('queue-name', { type: 'string', default: DEFAULT_QUEUE_NAME, describe: 'queue name (with --queue)' })
        .option('follow', {
          type: 'boolean',
          default: false,
          describe: 'with --queue: wait for the runs, one line (or a bar) per finished run; exit 1 if one failed',
        })
        .option('attempts', {
          type: 'number',
          default: 3,
          describe:
            'with --queue: attempts per run when a worker fails outside the run (disk, crash); a failing run is never retried',
        }),
    async (argv) => {
      if (!argv.config && !argv.resume)
        throw new NmflabError('no config given', { expected: 'nmflab run CONFIG.yaml, or --resume DIR' });
      if (argv.resume && (argv.config || argv.set.length || argv.sweep.length || argv.plugin?.length)) {
        throw new NmflabError('--resume takes no config, --set, --sweep or --plugin', {
          hint: 'a resumed sweep runs exactly as it was planned (sweep.yaml)',
        });
      }
      if (argv.queue) return submit(argv as SubmitArgs);
      if (argv.follow) throw new NmflabError('--follow needs --queue', { path: '--follow' });
      const jobs = argv.jobs ?? availableParallelism();
      if (!Number.isInteger(jobs) || jobs < 1)
        throw new NmflabError('bad --jobs', { expected: 'an integer ≥ 1', found: String(argv.jobs) });
      const controller = new AbortController();
      let sigints = 0;
      const onSigint = () => {
        sigints++;
        if (sigints > 1) process.exit(130); // second Ctrl-C: give up waiting
        process.stderr.write('\nnmflab: interrupting — finishing the current iteration of each running run\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      const { log, progress } = stderrProgress<number>(argv.quiet);
      const onEvent = (e: RunEvent) => {
        if (e.type === 'planned') {
          log(
            `nmflab: ${e.total} run${e.total === 1 ? '' : 's'}${e.pending < e.total ? ` (${e.pending} to do)` : ''} → ${relative(process.cwd(), e.dir) || '.'}`,
          );
          progress.start(e.pending);
        } else if (e.type === 'progress') {
          progress.iteration(e.index, e.iteration / Math.max(1, e.max));
        } else if (e.type === 'end') {
          const r = e.record;
          const extra =
            r.status === 'completed'
              ? `${r.iterations ?? 0} iterations, ${r.stopReason ?? ''}, ${(r.seconds ?? 0).toFixed(2)} s`
              : (r.error ?? '');
          progress.finished(
            e.index,
            `  ${e.name} ${r.status}${extra ? ` (${extra})` : ''}`,
            r.status === 'failed' ? `  ${e.name} failed: ${r.error ?? ''}` : undefined,
          );
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
          outFlag: '--out',
          resume: argv.resume,
          jobs,
          createRunEnv,
          workerSetupModule: new URL('../container.js', import.meta.url).href,
          signal: controller.signal,
          onEvent,
          packages: packageVersions(),
        });
      } finally {
        progress.stop();
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
      // shown even with --quiet: a setting that did not take effect changes what the results mean
      for (const w of result.warnings) process.stderr.write(`nmflab: warning: ${w}\n`);
      if (existsSync(join(result.dir, 'aggregate.csv')))
        log(
          `nmflab: ${join(where, 'aggregate.csv')}: mean ± 95 % CI of every metric over items × seeds (nmflab summarize ${where} prints it)`,
        );
      if (result.failed && argv.quiet) {
        // Even quiet, an exit status of 1 comes with its reason.
        const first = result.records.find((r) => r?.status === 'failed');
        process.stderr.write(
          `nmflab: ${result.failed} of ${result.records.length} run${result.records.length === 1 ? '' : 's'} failed (run ${first?.run ?? '?'}: ${first?.error ?? 'see summary.csv'})\n`,
        );
      }
      if (argv.report)
        await (await import('@nmflab/report')).writeReport(
          result.dir,
          reportOptions(argv.plugin ?? [], undefined, argv.quiet),
        );
      process.stdout.write(`results in ${where}\n`);
      if (result.failed) process.exitCode = 1;
    },
  );
}

interface SubmitArgs {
  config?: string;
  plugin?: string[];
  out: string;
  set: string[];
  sweep: string[];
  jobs?: number;
  resume?: string;
  quiet: boolean;
  queue: string;
  'queue-name': string;
  follow: boolean;
  attempts: number;
}

/** `nmflab run CONFIG --queue URL [--follow]`: plan the sweep here, enqueue its runs for workers. */
async function submit(argv: SubmitArgs): Promise<void> {
  if (argv.jobs !== undefined)
    throw new NmflabError('--jobs has no effect with --queue', {
      path: '--jobs',
      hint: 'each worker sets its own: nmflab worker --concurrency N',
    });
  if (!Number.isInteger(argv.attempts) || argv.attempts < 1)
    throw new NmflabError('bad --attempts', {
      path: '--attempts',
      expected: 'an integer ≥ 1',
      found: String(argv.attempts),
    });
  const target = parseQueueUrl(argv.queue, argv['queue-name']);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nnmflab: no longer following (the runs stay queued for the workers)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const { log, progress } = stderrProgress<string>(argv.quiet);
  const onEvent = (e: SubmitEvent) => {
    if (e.type === 'planned') {
      const where = relative(process.cwd(), e.dir) || '.';
      const parts = [`${e.added} queued now`];
      if (e.queued) parts.push(`${e.queued} already queued`);
      if (e.done) parts.push(`${e.done} already completed`);
      log(`nmflab: ${e.total} run${e.total === 1 ? '' : 's'} → ${where} on ${target.display} (${parts.join(', ')})`);
      progress.start(e.total, e.done, argv.follow);
    } else if (e.type === 'progress') {
      progress.iteration(e.run, e.iteration / Math.max(1, e.max));
    } else {
      const r = e.result;
      const line =
        e.status === 'completed'
          ? `  ${e.run} completed (${r?.iterations ?? 0} iterations, ${r?.stopReason ?? ''}, ${(r?.seconds ?? 0).toFixed(2)} s on ${r?.host ?? '?'})`
          : `  ${e.run} failed: ${e.error ?? ''}`;
      progress.finished(e.run, line, e.status === 'failed' ? line : undefined);
    }
  };
  let result;
  try {
    const { submitSweep } = await import('@nmflab/queue');
    result = await submitSweep({
      configFile: argv.config,
      sets: argv.set,
      sweeps: argv.sweep,
      plugins: argv.plugin,
      outDir: argv.out,
      outFlag: '--out',
      resume: argv.resume,
      createRunEnv,
      target,
      attempts: argv.attempts,
      follow: argv.follow,
      signal: controller.signal,
      onEvent,
      packages: packageVersions(),
    });
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
  const where = relative(process.cwd(), result.dir) || '.';
  if (!argv.follow) {
    process.stdout.write(`results in ${where}\n`);
    return;
  }
  if (result.interrupted) {
    process.stderr.write(
      `nmflab: stopped following (${result.completed} completed, ${result.failed} failed); follow again with: nmflab run --resume ${where} --queue ${target.display} --follow\n`,
    );
    process.stdout.write(`${where}\n`);
    process.exitCode = 130;
    return;
  }
  log(`nmflab: ${result.completed} completed${result.failed ? `, ${result.failed} failed` : ''}`);
  process.stdout.write(`results in ${where}\n`);
  if (result.failed) process.exitCode = 1;
}
