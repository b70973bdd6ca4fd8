import { availableParallelism } from 'node:os';
import { NmflabError } from '@nmflab/core';
import { DEFAULT_QUEUE_NAME, DEFAULT_WORKER_SETTINGS, parseQueueUrl } from '@nmflab/queue/connection';
import type { WorkerEvent } from '@nmflab/queue';
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../args.js';

/**
 * `nmflab worker --queue redis://HOST:PORT/DB`: take runs from the queue and execute them exactly
 * as `nmflab run` would, writing run folders into the shared results. One line per event on
 * stderr. Ctrl-C/SIGTERM: take no new job, finish the running ones, exit; a second one exits at
 * once (the running jobs are then taken over by another worker when their lock expires).
 */
export function workerCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'worker',
    'Execute queued runs (from nmflab run --queue) on this machine',
    (a) =>
      a
        .option('queue', {
          type: 'string',
          demandOption: true,
          describe: 'the Redis holding the queue: redis://HOST:PORT/DB',
        })
        .option('queue-name', {
          type: 'string',
          default: DEFAULT_QUEUE_NAME,
          describe: "queue name (the same as the submitter's)",
        })
        .option('concurrency', {
          type: 'number',
          default: 1,
          describe: 'runs at once on this machine (worker threads); e.g. the core count',
        })
        .option('out', {
          type: 'string',
          describe: "where this machine mounts the shared results root (default: the submitter's path)",
        })
        .option('lock-duration', {
          type: 'number',
          default: DEFAULT_WORKER_SETTINGS.lockDuration,
          describe: "ms a job stays locked without renewal; a dead worker's runs are taken over after about this long",
        })
        .option('stalled-interval', {
          type: 'number',
          default: DEFAULT_WORKER_SETTINGS.stalledInterval,
          describe: 'ms between checks for jobs of dead workers',
        })
        .option('max-stalled', {
          type: 'number',
          default: DEFAULT_WORKER_SETTINGS.maxStalledCount,
          describe: 'times a job may be taken over from a dead worker before it fails',
        }),
    async (argv) => {
      const target = parseQueueUrl(argv.queue, argv['queue-name']);
      const int = (name: string, v: number, min: number) => {
        if (!Number.isInteger(v) || v < min)
          throw new NmflabError(`bad --${name}`, {
            path: `--${name}`,
            expected: `an integer ≥ ${min}`,
            found: String(v),
          });
        return v;
      };
      const settings = {
        concurrency: int('concurrency', argv.concurrency, 1),
        lockDuration: int('lock-duration', argv['lock-duration'], 500),
        stalledInterval: int('stalled-interval', argv['stalled-interval'], 100),
        maxStalledCount: int('max-stalled', argv['max-stalled'], 0),
        outRoot: argv.out,
      };
      if (settings.concurrency > availableParallelism())
        process.stderr.write(
          `nmflab: note: --concurrency ${settings.concurrency} exceeds the ${availableParallelism()} cores of this machine\n`,
        );
      const say = (s: string) => process.stderr.write(`${new Date().toISOString()} ${s}\n`);
      const label = (j: { name: string; id?: string }) => `${j.name}`;
      let ready = false;
      const onEvent = (e: WorkerEvent) => {
        if (e.type === 'active') say(`start ${label(e.job)} (attempt ${e.job.attemptsStarted})`);
        else if (e.type === 'completed')
          say(
            `${e.result.reused ? 'already complete' : 'completed'} ${label(e.job)}${e.result.reused ? '' : ` (${e.result.iterations ?? 0} iterations, ${(e.result.seconds ?? 0).toFixed(2)} s)`}`,
          );
        else if (e.type === 'failed')
          say(
            `${e.final ? 'failed' : 'attempt failed (will retry)'} ${e.job ? label(e.job) : '?'}: ${e.error.message}`,
          );
        else if (e.type === 'stalled') say(`recovered stalled job ${e.jobId} (its worker died)`);
        else if (e.type === 'error' && ready) say(`queue error: ${e.error.message}`);
      };
      const processor = new URL('./queue-processor.js', import.meta.url);
      const { startWorker } = await import('@nmflab/queue');
      const worker = startWorker(target, processor, settings, onEvent);
      let stopping = 0;
      const stop = (sig: string) => {
        stopping++;
        // Not connected yet (no job can be running) or asked twice: quit now.
        if (stopping > 1 || !ready) process.exit(130);
        say(`${sig}: finishing running jobs, taking no new one (again to quit now)`);
        void worker.close();
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      const timer = setTimeout(() => say(`still waiting for Redis at ${target.display}…`), 10_000);
      await worker.waitUntilReady();
      clearTimeout(timer);
      ready = true;
      say(`worker ready on ${target.display} queue ${target.name}, concurrency ${settings.concurrency}`);
      await new Promise<void>((r) => worker.on('closed', () => r()));
      say('worker stopped');
    },
  );
}
