import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { UnrecoverableError } from 'bullmq';
import {
  performRun,
  readRecord,
  summarizeSweepFolder,
  type Provenance,
  type RunEnv,
  type RunJob,
  type RunRecord,
} from '@nmflab/core';

/** What one queued job carries: the planned run (resolved config, seed, folder) and where it goes. */
export interface RunJobData {
  /** Format of this record (bumped if it changes incompatibly). */
  v: 1;
  /** The planned run exactly as the local runner would perform it; `job.dir` is the submitter's path. */
  job: RunJob;
  /** The sweep folder relative to the results root, for workers that mount the results elsewhere. */
  sweep: string;
  /** The submitter's results root (absolute, as the submitter sees it). */
  root: string;
  /** The submitter's git commit, so a worker on different code can say so. */
  commit: string | null;
}

/** A job's returnvalue: the run's outcome and metrics, and who ran it. */
export interface RunJobResult {
  run: string;
  sweep: string;
  status: RunRecord['status'];
  seed: number;
  iterations?: number;
  stopReason?: string;
  seconds?: number;
  objective?: number;
  metrics?: Record<string, number>;
  host: string;
  /** True when the folder was already complete (an earlier attempt finished it) and nothing ran. */
  reused: boolean;
}

/** The sweep folder of a job on this machine: the worker's `--out` root if given, else the submitter's path. */
export function jobSweepDir(data: RunJobData, outRoot?: string): string {
  return outRoot ? resolve(outRoot, data.sweep) : data.job.dir;
}

export interface ProcessHooks {
  signal?: { readonly aborted: boolean };
  onProgress?: (iteration: number, max: number) => void;
  /** Provenance of this worker (host, commit, packages); default: the submitter's. */
  provenance?: Provenance;
  /** Where this worker mounts the results root (default: the submitter's path). */
  outRoot?: string;
}

export function resultOf(data: RunJobData, rec: RunRecord, reused: boolean): RunJobResult {
  return {
    run: rec.run,
    sweep: data.sweep,
    status: rec.status,
    seed: rec.seed,
    iterations: rec.iterations,
    stopReason: rec.stopReason,
    seconds: rec.seconds,
    objective: rec.objective?.total,
    metrics: rec.metrics,
    host: hostname(),
    reused,
  };
}

/**
 * Execute one job with the local runner's code path (`performRun`), into the shared results.
 * - a run folder already `completed` (an attempt that finished but was not acknowledged before its
 *   worker died) is returned as is, nothing reruns;
 * - each attempt writes its own `.<run>.<token>.tmp` and renames it into place atomically;
 *   leftovers of earlier attempts of this run are removed first (BullMQ hands a job to one worker
 *   at a time, so they belong to dead attempts);
 * - a run that fails (a thrown NmflabError, bad data, a solver error: runs are deterministic, so it
 *   would fail again) throws `UnrecoverableError` so BullMQ does not retry it; its folder says
 *   `failed` with the error, as a local run's does;
 * - anything thrown outside the run (the shared disk, the environment) propagates and is retried
 *   within the job's attempts.
 * summary.csv is rebuilt from the run folders after every run.
 */
export async function processRunJob(data: RunJobData, env: RunEnv, hooks: ProcessHooks = {}): Promise<RunJobResult> {
  if (data?.v !== 1 || !data.job?.name)
    throw new UnrecoverableError(`not an nmflab run job (format ${String(data?.v)})`);
  const dir = jobSweepDir(data, hooks.outRoot);
  if (!existsSync(resolve(dir, 'sweep.yaml'))) {
    throw new Error(
      `the sweep folder ${dir} is not visible on ${hostname()} (is the shared results location mounted? start the worker with --out ROOT if it is mounted elsewhere)`,
    );
  }
  const name = data.job.name;
  const done = readRecord(dir, name);
  if (done?.status === 'completed') return resultOf(data, done, true);
  for (const e of readdirSync(dir))
    if (e.startsWith(`.${name}.`) && e.endsWith('.tmp')) rmSync(resolve(dir, e), { recursive: true, force: true });
  const job: RunJob = {
    ...data.job,
    dir,
    tmpName: `.${name}.${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
    ...(hooks.provenance ? { provenance: hooks.provenance } : {}),
  };
  const rec = await performRun(job, env, { signal: hooks.signal, onProgress: hooks.onProgress });
  try {
    summarizeSweepFolder(dir);
  } catch {
    // The summary is a convenience rebuilt by anyone (nmflab summarize); the run itself is safe.
  }
  if (rec.status === 'failed') throw new UnrecoverableError(rec.error ?? 'the run failed');
  if (rec.status === 'interrupted')
    throw new Error('interrupted (the worker is shutting down); the job goes back to the queue');
  return resultOf(data, rec, false);
}
