import { createHash } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { stringify as yamlStringify } from 'yaml';
import { NmflabError } from '../errors.js';
import { fit, type FitResult } from '../plugin/fit.js';
import {
  digestBytes,
  digestFile,
  ensureDir,
  fsError,
  fsyncDir,
  matrixToNpy,
  writeFileAtomic,
  type FileDigest,
} from '../io.js';
import type {
  FitRequest,
  Metric,
  MetricInput,
  MetricValue,
  SourceData,
  TaskContext,
  TaskOutput,
  Transform,
} from '../plugin/plugin.js';
import type { Registry } from '../plugin/registry.js';
import { Rng } from '../rng.js';
import type { ExperimentConfig, TransformConfig } from '../config/schema.js';
import { Stft, encodeWav } from '../signal/index.js';
import { displayPath } from '../config/compose.js';
import { flattenMetrics, metricsCsv, trajectoryCsv } from './files.js';
import type { Provenance } from './provenance.js';

/**
 * One run: source → (transform) → task (which fits the configured model through `ctx.fit`) →
 * metrics → files. Everything is written into `.<name>.tmp/` and renamed to `<name>/` at the end,
 * so a folder named like a run is always complete.
 */

/** What the runner needs besides the registry; the CLI provides it (signal layer included). */
export interface RunEnv {
  registry: Registry;
  /** Build the transform from the config's `transform:` block (default: core's `Stft`). */
  createTransform?: (cfg: TransformConfig, sampleRate: number) => Transform;
  /** Encode a waveform as WAV bytes (default: core's `encodeWav`, 32-bit float). */
  encodeWav?: (samples: Float64Array, sampleRate: number) => Uint8Array;
}

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'interrupted';

export interface RunJob {
  index: number;
  name: string;
  /** The sweep folder the run folder goes into. */
  dir: string;
  experiment: string;
  config: ExperimentConfig;
  varied: Record<string, unknown>;
  provenance: Provenance;
  /**
   * Name of the temporary folder inside `dir` (default `.<name>.tmp`). Queue workers give each
   * attempt its own (`.<name>.<token>.tmp`), so a lost attempt still writing cannot mix its files
   * into another attempt's folder.
   */
  tmpName?: string;
}

/** The content of run.json. */
export interface RunRecord {
  run: string;
  index: number;
  experiment: string;
  status: RunStatus;
  seed: number;
  varied: Record<string, unknown>;
  started?: string;
  finished?: string;
  seconds?: number;
  iterations?: number;
  stopReason?: string;
  restart?: number;
  restartObjectives?: number[];
  /** Iterations where a monotone solver's objective rose (must be 0). */
  increases?: number;
  objective?: { total: number; terms: Record<string, number> };
  metrics?: Record<string, number>;
  error?: string;
  /**
   * Size and SHA-256 of every file of the run folder but run.json (completed runs): a run counts as
   * completed on `--resume` only when its files still match.
   */
  files?: Record<string, FileDigest>;
  /** Config settings the run did not use (`model.rank` when the task chose its own ranks). */
  unused?: string[];
  provenance: Provenance;
}

/**
 * Fits a task marked reusable (dictionaries learned on training recordings), by a key of everything
 * they depend on: a sweep over the items of a corpus learns the same dictionaries in every run of a
 * seed, and this process (a worker thread) learns them once. Oldest out first, a few entries.
 */
const REUSED_FITS = 16;
const reusedFits = new Map<string, FitResult>();

/** Forget the reusable fits of this process (tests compare a reused fit with a fresh one). */
export function clearReusedFits(): void {
  reusedFits.clear();
}

function reuseKey(
  request: FitRequest,
  model: NonNullable<ExperimentConfig['model']>,
  seed: number,
): string | undefined {
  const p = request.problem;
  if (p.W0 || p.H0 || p.mask || p.phase0 || p.freezeW || p.freezeH) return undefined;
  const h = createHash('sha256');
  h.update(`${p.V.rows}x${p.V.cols}/${p.rank}/`);
  h.update(new Uint8Array(p.V.data.buffer, p.V.data.byteOffset, p.V.data.byteLength));
  if (p.Y) {
    h.update(`Y${p.Y.rows}x${p.Y.cols}/`);
    for (const part of [p.Y.re, p.Y.im]) h.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  }
  h.update(JSON.stringify([request.solver ?? null, model, seed]));
  return h.digest('hex');
}

/** Whether a completed run's folder still holds every file its record lists, byte for byte. */
export function runFilesIntact(runDir: string, record: RunRecord): boolean {
  if (!record.files || Object.keys(record.files).length === 0) return false;
  for (const [name, want] of Object.entries(record.files)) {
    const got = digestFile(join(runDir, name));
    if (!got || got.bytes !== want.bytes || got.sha256 !== want.sha256) return false;
  }
  return true;
}

export interface RunHooks {
  /** Checked between iterations: when it reads true the fit stops and the run is `interrupted`. */
  signal?: { readonly aborted: boolean };
  onProgress?: (iteration: number, maxIterations: number) => void;
}

/** Snapshot of the resolved config: the exact input of this run, runnable on its own. */
export function configSnapshot(config: ExperimentConfig, runDir: string): string {
  // A config's `plugins:` are relative to the config file, and this copy lives in the run folder:
  // stored relative to it, `nmflab run <run>/config.yaml` loads them from any working directory.
  const plugins = Array.isArray(config.plugins)
    ? config.plugins.map((p) =>
        typeof p === 'string' ? relative(resolve(runDir), resolve(p)).split(sep).join('/') : p,
      )
    : undefined;
  return yamlStringify(plugins ? { ...config, plugins } : config, { lineWidth: 0 });
}

function errorText(e: unknown): string {
  if (e instanceof NmflabError) return e.format();
  return `internal error: ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * Run one job and write its folder; never throws for a run failure (the record says `failed`).
 * It throws only when the folder cannot be written (disk full, read-only…): then nothing of the
 * run is left behind and the error names the file and the reason.
 */
export async function performRun(job: RunJob, env: RunEnv, hooks: RunHooks = {}): Promise<RunRecord> {
  const tmp = join(job.dir, job.tmpName ?? `.${job.name}.tmp`);
  const final = join(job.dir, job.name);
  const t0 = performance.now();
  const record: RunRecord = {
    run: job.name,
    index: job.index,
    experiment: job.experiment,
    status: 'running',
    seed: job.config.seed,
    varied: job.varied,
    started: new Date().toISOString(),
    provenance: job.provenance,
  };
  const files: Record<string, FileDigest> = {};
  // Files inside the temporary folder are flushed one by one; the folder itself once, before its rename.
  const put = (name: string, data: string | Uint8Array) => {
    try {
      writeFileAtomic(join(tmp, name), data, { syncDir: false });
    } catch (e) {
      // Name the file as the user will look for it (the run folder), not the temporary folder.
      throw e instanceof NmflabError && e.file
        ? new NmflabError(e.reason, { file: displayPath(join(final, name)), exitCode: e.exitCode })
        : e;
    }
    files[name] = digestBytes(data);
  };
  const writeRecord = () =>
    writeFileAtomic(join(tmp, 'run.json'), `${JSON.stringify(record, null, 2)}\n`, { syncDir: false });
  try {
    rmSync(tmp, { recursive: true, force: true });
    ensureDir(tmp);
    put('config.yaml', configSnapshot(job.config, final));
    writeRecord();
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw fsError(e, tmp, 'write');
  }
  let writeFailure: unknown;
  try {
    const out = await execute(job, env, hooks);
    const rendered = renderOutputs(job, env, out);
    if (hooks.signal?.aborted || out.fit?.stopReason === 'interrupted') {
      record.status = 'interrupted';
    } else {
      try {
        for (const [name, data] of rendered) put(name, data);
      } catch (e) {
        writeFailure = e;
        throw e;
      }
      record.status = 'completed';
      record.files = files;
    }
    const f = out.fit;
    if (f) {
      record.iterations = f.iterations;
      record.stopReason = f.stopReason;
      record.restart = f.restart;
      record.restartObjectives = f.restartObjectives;
      record.increases = f.increases.length;
      const last = f.trajectory[f.trajectory.length - 1];
      if (last) record.objective = { total: last.objective, terms: last.terms };
    }
    record.metrics = out.summary;
    if (out.unused.length) record.unused = out.unused;
  } catch (e) {
    if (writeFailure !== undefined) {
      rmSync(tmp, { recursive: true, force: true });
      throw writeFailure;
    }
    record.status = hooks.signal?.aborted ? 'interrupted' : 'failed';
    record.error = errorText(e);
  }
  record.finished = new Date().toISOString();
  record.seconds = (performance.now() - t0) / 1000;
  try {
    writeRecord();
    fsyncDir(tmp);
    // A previous attempt's folder (failed, interrupted or damaged, on --resume) is replaced as a whole.
    if (existsSync(final)) {
      const old = join(job.dir, `.${job.name}.old`);
      rmSync(old, { recursive: true, force: true });
      renameSync(final, old);
      rmSync(old, { recursive: true, force: true });
    }
    renameSync(tmp, final);
    fsyncDir(job.dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw fsError(e, final, 'write');
  }
  return record;
}

/** fit, with its `rank` errors named by the config key the rank comes from. */
function fitNamed(...args: Parameters<typeof fit>): FitResult {
  try {
    return fit(...args);
  } catch (e) {
    throw e instanceof NmflabError && e.path === 'rank'
      ? new NmflabError(e.reason, { path: 'model.rank', expected: e.expected, found: e.found, exitCode: e.exitCode })
      : e;
  }
}

/**
 * A metric value that is ±∞ or NaN fails the run with the metric and entry named: CSV would hold
 * "Infinity" and JSON null, and a mean over runs would be poisoned without a word.
 */
function assertFinite(values: Record<string, MetricValue>, where: string, sourceNames: readonly string[]): void {
  for (const r of flattenMetrics(values, sourceNames)) {
    if (!Number.isFinite(r.value)) {
      throw new NmflabError('metric value is not finite', {
        path: where,
        expected: 'a finite number',
        found: `${r.metric}${r.source ? `[${r.source}]` : ''} = ${Number.isNaN(r.value) ? 'not a number' : r.value > 0 ? '+∞' : '−∞'}`,
        hint: 'check the metric parameters and the estimates (e.g. a silent estimate or an extreme exponent)',
        exitCode: 1,
      });
    }
  }
}

interface Executed {
  output: TaskOutput;
  data: SourceData;
  fit?: FitResult;
  metrics: Record<string, MetricValue>;
  summary: Record<string, number>;
  sourceNames: string[];
  unused: string[];
}

async function execute(job: RunJob, env: RunEnv, hooks: RunHooks): Promise<Executed> {
  const { registry } = env;
  const cfg = job.config;
  const rng = new Rng(cfg.seed);
  const source = registry.instantiate('source', cfg.data, { path: 'data' });
  const data = await source.load(rng.fork('source'));
  let transform: Transform | undefined;
  if (data.signal) {
    transform = env.createTransform
      ? env.createTransform(cfg.transform, data.signal.sampleRate)
      : new Stft({ ...cfg.transform, sampleRate: data.signal.sampleRate }, { path: 'transform' });
  }
  const model = cfg.model;
  // Validation lets only tasks declaring `needsModel: false` run without a model; one that still
  // asks for it gets the config error instead of a TypeError.
  const needModel = (): NonNullable<ExperimentConfig['model']> => {
    if (model) return model;
    throw new NmflabError(`task '${cfg.task.id}' asked for the model, but the config has none`, {
      path: 'model',
      expected: 'a model block with solver and rank',
      found: 'no model block',
    });
  };
  let fits = 0;
  let rankRead = false;
  const ctx: TaskContext = {
    data,
    transform,
    get rank() {
      rankRead = true;
      return needModel().rank;
    },
    rng: rng.fork('task'),
    registry,
    fit(request) {
      const m = needModel();
      const label = request.label ?? `fit-${fits}`;
      fits++;
      // A task's own solver spec is validated like a config's (defaults filled, errors named).
      const solver = request.solver
        ? registry.create('solver', request.solver, { path: `task fit ${label}: solver` })
        : registry.instantiate('solver', m.solver, { path: 'model.solver' });
      const stopping = m.stopping;
      const fitRng = rng.fork(`fit:${label}`);
      const key = request.reusable ? reuseKey(request, m, fitRng.seed) : undefined;
      const hit = key === undefined ? undefined : reusedFits.get(key);
      if (hit) return hit;
      const result = fitNamed(solver, request.problem, fitRng, {
        stopping,
        restarts: m.restarts,
        signal: hooks.signal,
        clock: registry.services.clock,
        onIteration: hooks.onProgress ? (row) => hooks.onProgress!(row.iteration, stopping.maxIterations) : undefined,
      });
      if (key !== undefined && result.stopReason !== 'interrupted') {
        if (reusedFits.size >= REUSED_FITS) reusedFits.delete(reusedFits.keys().next().value!);
        reusedFits.set(key, result);
      }
      return result;
    },
  };
  const task = registry.instantiate('task', cfg.task, { path: 'task' });
  const output = await task.run(ctx);
  // a configured rank the task never read (it took its ranks from elsewhere) is reported, not silently ignored
  const unused = model && !rankRead ? ['model.rank'] : [];
  const sourceNames = (output.references ?? output.estimates ?? []).map((s) => s.name);
  const metrics: Record<string, MetricValue> = {};
  const f = output.fit;
  if (f) {
    // The objective at the end, term by term, is always recorded.
    const last = f.trajectory[f.trajectory.length - 1];
    if (last) {
      metrics.objective = last.objective;
      for (const [k, v] of Object.entries(last.terms)) metrics[`objective.${k}`] = v;
    }
  }
  assertFinite(output.metrics ?? {}, `task (${cfg.task.id}) metrics`, sourceNames);
  Object.assign(metrics, output.metrics ?? {});
  if (!hooks.signal?.aborted && f?.stopReason !== 'interrupted') {
    const input: MetricInput = {
      ...(output.extra ?? {}),
      estimates: output.estimates?.map((s) => s.samples),
      references: output.references?.map((s) => s.samples),
      sampleRate: output.sampleRate,
      V: output.matrices?.V,
      W: f?.result.W ?? output.matrices?.W,
      H: f?.result.H ?? output.matrices?.H,
      data,
      results: metrics,
    };
    cfg.metrics.forEach((ref, i) => {
      const m: Metric = registry.instantiate('metric', ref, { path: `metrics[${i}]` });
      let values: Record<string, MetricValue>;
      try {
        values = m.compute(input);
      } catch (e) {
        throw e instanceof NmflabError && !e.path ? e.withContext({ pathPrefix: `metrics[${i}]` }) : e;
      }
      assertFinite(values, `metrics[${i}] (${ref.id})`, sourceNames);
      Object.assign(metrics, values);
    });
  }
  const summary: Record<string, number> = {};
  for (const r of flattenMetrics(metrics, sourceNames))
    summary[r.source ? `${r.metric}[${r.source}]` : r.metric] = r.value;
  return { output, data, fit: f, metrics, summary, sourceNames, unused };
}

/** Every file of a completed run, by name (written into the temporary folder). */
function renderOutputs(
  job: RunJob,
  env: RunEnv,
  ex: Executed & { summary: Record<string, number> },
): [string, string | Uint8Array][] {
  const files: [string, string | Uint8Array][] = [];
  const { output, fit: f } = ex;
  const outputs = job.config.outputs;
  if (f && outputs.trajectory) files.push(['trajectory.csv', trajectoryCsv(f.trajectory)]);
  const rows = flattenMetrics(ex.metrics, ex.sourceNames);
  files.push(['metrics.json', `${JSON.stringify(ex.metrics, null, 2)}\n`]);
  files.push(['metrics.csv', metricsCsv(rows)]);
  if (outputs.factors) {
    const mats = { ...(f ? { W: f.result.W, H: f.result.H } : {}), ...(output.matrices ?? {}) };
    for (const [name, m] of Object.entries(mats)) files.push([`${name}.npy`, matrixToNpy(m)]);
  }
  if (outputs.wavs && output.estimates?.length && output.sampleRate) {
    const encode = env.encodeWav ?? ((x: Float64Array, rate: number) => encodeWav(x, rate, { format: 'float32' }));
    for (const s of output.estimates) files.push([`${s.name}.wav`, encode(s.samples, output.sampleRate)]);
  }
  if (output.extra && Object.keys(output.extra).length) {
    files.push([
      'extra.json',
      `${JSON.stringify(output.extra, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v), 2)}\n`,
    ]);
  }
  // task-made files (images…); names are plain file names, never paths
  for (const [name, data] of Object.entries(output.files ?? {})) files.push([basename(name), data]);
  return files;
}
