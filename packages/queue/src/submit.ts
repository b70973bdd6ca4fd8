import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { parse as yamlParse } from 'yaml';
import {
  NmflabError,
  collectProvenance,
  openExperiment,
  readRecord,
  summarizeSweepFolder,
  type OpenOptions,
  type PreparedExperiment,
} from '@nmflab/core';
import type { QueueTarget } from './connection.js';
import { runJobId, sweepId } from './ids.js';
import type { RunJobData, RunJobResult } from './job.js';

export interface SubmitOptions
  extends Pick<
    OpenOptions,
    'configFile' | 'sets' | 'sweeps' | 'plugins' | 'outDir' | 'outFlag' | 'resume' | 'createRunEnv'
  > {
  target: QueueTarget;
  /** Attempts per job for failures outside the run itself (the disk, a crashed thread); default 3. */
  attempts?: number;
  /** Wait for every run to finish, reporting each. */
  follow?: boolean;
  /** Stops following (the jobs stay queued). */
  signal?: AbortSignal;
  onEvent?: (e: SubmitEvent) => void;
  packages?: Record<string, string>;
  /** Give up connecting to Redis after this long (ms, default 10 s). */
  connectTimeout?: number;
}

export type SubmitEvent =
  | { type: 'planned'; dir: string; total: number; done: number; added: number; queued: number; reused: boolean }
  | { type: 'progress'; run: string; iteration: number; max: number }
  | { type: 'end'; run: string; status: 'completed' | 'failed'; result?: RunJobResult; error?: string };

export interface SubmitResult {
  dir: string;
  total: number;
  /** Runs whose folder was complete before this submission. */
  skipped: number;
  /** Jobs added by this submission. */
  added: number;
  /** Jobs that were already waiting or running (an earlier submission's). */
  queued: number;
  /** With follow: runs completed and failed by the end (skipped ones counted as completed). */
  completed: number;
  failed: number;
  interrupted: boolean;
}

/** The sweep folder of an earlier submission of the same sweep (same sweep id in sweep.yaml), if any. */
export function findSubmittedSweep(parent: string, id: string): string | undefined {
  if (!existsSync(parent)) return undefined;
  const found: string[] = [];
  for (const e of readdirSync(parent).sort()) {
    const f = join(parent, e, 'sweep.yaml');
    if (!existsSync(f)) continue;
    try {
      const sf = yamlParse(readFileSync(f, 'utf8')) as { queue?: { sweep?: string } };
      if (sf?.queue?.sweep === id) found.push(join(parent, e));
    } catch {
      // not ours
    }
  }
  return found.at(-1);
}

async function ready<
  T extends {
    waitUntilReady(): Promise<unknown>;
    close(): Promise<void>;
    on(event: 'error', f: (e: Error) => void): unknown;
  },
>(x: T, target: QueueTarget, ms: number): Promise<T> {
  // Connection errors are retried by ioredis; without a listener they would be printed as stacks.
  let last = '';
  x.on('error', (e: Error) => {
    last = (e as NodeJS.ErrnoException).code ?? e.message;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new NmflabError(`cannot reach Redis at ${target.display} within ${ms / 1000} s${last ? ` (${last})` : ''}`, {
            path: '--queue',
            hint: 'is redis-server running there and reachable from this machine?',
            exitCode: 1,
          }),
        ),
      ms,
    );
  });
  try {
    await Promise.race([x.waitUntilReady(), timeout]);
    return x;
  } catch (e) {
    void x.close().catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Submit an experiment's runs to the queue: plan the sweep exactly as `nmflab run` does (same
 * folder layout, sweep.yaml, resolved configs and seeds), then add one job per run that has no
 * completed folder. Submitting the same sweep again completes the same folder: it is found by its
 * sweep id, completed runs are skipped, runs already queued stay queued (job ids are hashes of
 * config, seed and destination), failed ones are queued again (as `--resume` reruns them).
 */
export async function submitSweep(opts: SubmitOptions): Promise<SubmitResult> {
  const { target } = opts;
  let events: QueueEvents | undefined;
  const ms = opts.connectTimeout ?? 10_000;
  const idOf = (p: PreparedExperiment) => sweepId(p.runs.map((r) => ({ name: r.name, config: r.config })));
  // Connect first, so that an unreachable Redis leaves no sweep folder behind.
  const queue = await ready(
    new Queue<RunJobData, RunJobResult>(target.name, { connection: target.connection }),
    target,
    ms,
  );
  let opened;
  try {
    if (opts.follow) {
      // Listening starts before any job is added, so no completion can be missed.
      events = await ready(new QueueEvents(target.name, { connection: target.connection }), target, ms);
    }
    opened = await openExperiment({
      configFile: opts.configFile,
      sets: opts.sets,
      sweeps: opts.sweeps,
      plugins: opts.plugins,
      outDir: opts.outDir,
      outFlag: opts.outFlag,
      resume: opts.resume,
      createRunEnv: opts.createRunEnv,
      cleanTemporaries: false,
      reuseFolder: (p, parent) => findSubmittedSweep(parent, idOf(p)),
      sweepExtra: (p) => ({ queue: { sweep: idOf(p) } }),
    });
  } catch (e) {
    await events?.close().catch(() => {});
    await queue.close().catch(() => {});
    throw e;
  }
  const { dir, prepared, records } = opened;
  const root = resolve(opts.outDir ?? 'results');
  // With --resume the folder may live outside --out: then its parent's parent is the root.
  const base = opts.resume ? resolve(dir, '..', '..') : root;
  const sweepRel = relative(base, dir);
  const provenance = collectProvenance(opts.packages);
  try {
    const pending = prepared.runs.filter((r) => records[r.index]?.status !== 'completed');
    const jobOpts: JobsOptions = {
      attempts: opts.attempts ?? 3,
      backoff: { type: 'exponential', delay: 2000 },
      // Outcomes stay in Redis (returnvalue / failedReason) for a month; the run folders are the record.
      removeOnComplete: { age: 30 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    };
    const ids = new Map<string, string>();
    const toAdd: { name: string; data: RunJobData; opts: JobsOptions }[] = [];
    let queued = 0;
    for (const r of pending) {
      const jobId = runJobId(r.config, r.config.seed, `${sweepRel}/${r.name}`);
      ids.set(jobId, r.name);
      const existing = await queue.getJob(jobId);
      if (existing) {
        const state = await existing.getState();
        if (state === 'completed' && readRecord(dir, r.name)?.status === 'completed') {
          // Finished while this submission was planning: nothing to do.
          records[r.index] = readRecord(dir, r.name);
          ids.delete(jobId);
          continue;
        }
        // A failed job is queued again (as --resume reruns failed runs); so is a completed job
        // whose folder is gone.
        if (state === 'completed' || state === 'failed') await existing.remove();
        else if (state !== 'unknown') {
          queued++;
          continue;
        }
      }
      toAdd.push({
        name: `${prepared.runs[0].config.name}/${r.name}`,
        data: {
          v: 1,
          sweep: sweepRel,
          root: base,
          commit: provenance.git.commit,
          job: {
            index: r.index,
            name: r.name,
            dir,
            experiment: r.config.name,
            config: r.config,
            varied: r.varied,
            provenance,
          },
        },
        opts: { ...jobOpts, jobId },
      });
    }
    for (let i = 0; i < toAdd.length; i += 500) await queue.addBulk(toAdd.slice(i, i + 500));
    summarizeSweepFolder(dir);
    const total = prepared.runs.length;
    const skipped = prepared.runs.filter((r) => records[r.index]?.status === 'completed').length;
    opts.onEvent?.({
      type: 'planned',
      dir,
      total,
      done: skipped,
      added: toAdd.length,
      queued,
      reused: Boolean(opts.resume) || records.some(Boolean) || queued > 0,
    });
    const result: SubmitResult = {
      dir,
      total,
      skipped,
      added: toAdd.length,
      queued,
      completed: skipped,
      failed: 0,
      interrupted: false,
    };
    if (!events) return result;
    await follow(queue, events, ids, opts, result);
    summarizeSweepFolder(dir);
    return result;
  } finally {
    await events?.close().catch(() => {});
    await queue.close().catch(() => {});
  }
}

/** Wait until every job in `ids` is completed or finally failed, reporting each once. */
async function follow(
  queue: Queue<RunJobData, RunJobResult>,
  events: QueueEvents,
  ids: Map<string, string>,
  opts: SubmitOptions,
  result: SubmitResult,
): Promise<void> {
  const open = new Set(ids.keys());
  let wake: () => void = () => {};
  const settle = async (jobId: string) => {
    if (!open.has(jobId)) return;
    // The state first, then the job: a job read before it finished (and its state asked after)
    // would lack the returnvalue or failedReason, which are written with the final state.
    const state = await queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
    const job = await queue.getJob(jobId);
    if (!open.has(jobId)) return;
    open.delete(jobId);
    if (state === 'completed' && job) {
      result.completed++;
      opts.onEvent?.({ type: 'end', run: ids.get(jobId)!, status: 'completed', result: job.returnvalue });
    } else {
      result.failed++;
      opts.onEvent?.({
        type: 'end',
        run: ids.get(jobId)!,
        status: 'failed',
        error: job?.failedReason ?? 'the job disappeared from the queue',
      });
    }
    if (!open.size) wake();
  };
  events.on('completed', ({ jobId }) => void settle(jobId).catch(() => {}));
  // 'failed' is final only when no attempt is left; settle() asks the job's state to tell.
  events.on('failed', ({ jobId }) => void settle(jobId).catch(() => {}));
  events.on('progress', ({ jobId, data }) => {
    const p = data as { iteration?: number; max?: number };
    if (open.has(jobId) && typeof p?.iteration === 'number')
      opts.onEvent?.({ type: 'progress', run: ids.get(jobId)!, iteration: p.iteration, max: p.max ?? 1 });
  });
  const onAbort = () => wake();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Jobs that finished before we listened, then a slow poll in case an event is lost (reconnects).
    for (const id of [...open]) await settle(id);
    while (open.size && !opts.signal?.aborted) {
      await new Promise<void>((r) => {
        wake = r;
        // Events do the work; the poll is a safety net, slower for big sweeps (2 commands per job).
        setTimeout(r, Math.max(5000, open.size * 10));
      });
      if (opts.signal?.aborted) break;
      for (const id of [...open]) await settle(id);
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  result.interrupted = open.size > 0;
}
