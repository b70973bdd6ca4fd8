import { Worker, type Job } from 'bullmq';
import type { QueueTarget, WorkerSettings } from './connection.js';
import type { RunJobData, RunJobResult } from './job.js';

export type WorkerEvent =
  | { type: 'active'; job: Job<RunJobData, RunJobResult> }
  | { type: 'completed'; job: Job<RunJobData, RunJobResult>; result: RunJobResult }
  | { type: 'failed'; job: Job<RunJobData, RunJobResult> | undefined; error: Error; final: boolean }
  | { type: 'stalled'; jobId: string }
  | { type: 'error'; error: Error };

/**
 * A BullMQ worker whose processor is `processorFile` (a module whose default export runs one job,
 * e.g. the CLI's, which builds the plugin registry and calls `processRunJob`), run in worker
 * threads: the event loop of this process stays free to renew locks while runs compute, and the
 * threads die with the process (no orphan child process keeps writing after a kill).
 */
export function startWorker(
  target: QueueTarget,
  processorFile: string | URL,
  settings: WorkerSettings,
  onEvent: (e: WorkerEvent) => void = () => {},
): Worker<RunJobData, RunJobResult> {
  const worker = new Worker<RunJobData, RunJobResult>(target.name, processorFile, {
    connection: target.connection,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDuration,
    stalledInterval: settings.stalledInterval,
    maxStalledCount: settings.maxStalledCount,
    useWorkerThreads: true,
    workerThreadsOptions: { workerData: { nmflabQueue: { outRoot: settings.outRoot } } },
    autorun: true,
  });
  worker.on('active', (job) => onEvent({ type: 'active', job }));
  worker.on('completed', (job, result) => onEvent({ type: 'completed', job, result }));
  worker.on('failed', (job, error) => {
    const attempts = job?.opts.attempts ?? 1;
    const final = !job || error.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    onEvent({ type: 'failed', job, error, final });
  });
  worker.on('stalled', (jobId) => onEvent({ type: 'stalled', jobId }));
  worker.on('error', (error) => onEvent({ type: 'error', error }));
  return worker;
}
