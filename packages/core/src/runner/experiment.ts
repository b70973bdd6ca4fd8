import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parse as yamlParse, stringify as yamlStringify } from 'yaml';
import { NmflabError } from '../errors.js';
import { ensureDir, fsError, writeFileAtomic } from '../io.js';
import type { Registry } from '../plugin/registry.js';
import { applyOverrides, displayPath, loadComposed, overrideWarnings } from '../config/compose.js';
import { prepareExperiment, prepareFromBase, type PreparedExperiment, type PreparedRun } from '../config/load.js';
import { performRun, runFilesIntact, type RunEnv, type RunJob, type RunRecord, type RunStatus } from './execute.js';
import { aggregateRuns, aggregateTable, type AggregateRow } from './aggregate.js';
import { tableCsv } from './files.js';
import { collectProvenance, type Provenance } from './provenance.js';

/**
 * An experiment: prepare (compose, validate, expand), create the sweep folder, run every planned
 * run on a pool of worker threads (or in process), keep `summary.csv` current, and stop cleanly
 * on abort. `--resume DIR` reruns only the runs whose folder is not `completed`.
 */

export type RunEvent =
  | { type: 'planned'; dir: string; total: number; pending: number }
  | { type: 'start'; index: number; name: string }
  | { type: 'progress'; index: number; iteration: number; max: number }
  | { type: 'end'; index: number; name: string; record: RunRecord };

/** What runExperiment takes: what locates and prepares the sweep (OpenOptions) plus how to run it. */
export interface ExperimentOptions
  extends Pick<
    OpenOptions,
    'configFile' | 'config' | 'sets' | 'sweeps' | 'plugins' | 'outDir' | 'outFlag' | 'resume' | 'createRunEnv'
  > {
  /** Worker threads (default: the core count). */
  jobs?: number;
  /**
   * Module URL exporting `createRunEnv`, loaded inside each worker thread. Without it runs execute
   * one at a time in this thread (tests against TypeScript sources do that).
   */
  workerSetupModule?: string;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /** Extra package versions for provenance (the CLI adds its own and the plugin packages'). */
  packages?: Record<string, string>;
}

export interface ExperimentResult {
  dir: string;
  records: (RunRecord | undefined)[];
  interrupted: boolean;
  failed: number;
  completed: number;
  /** Settings given with --set/--sweep that were dropped or not used, one line each (for the CLI to print). */
  warnings: string[];
}

/** The content of sweep.yaml. */
export interface SweepFile {
  experiment: string;
  config: string;
  created: string;
  seed: number;
  axes: { path: string; values: unknown[]; over?: boolean }[];
  seeds?: number;
  runs: { run: string; seed: number; varied: Record<string, unknown> }[];
  base: Record<string, unknown>;
  [extra: string]: unknown;
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * Claim a fresh `<root>/<name>/<stamp>[-n]` folder (mkdir without recursive is atomic); errors
 * creating the root's folders name `outFlag` (the CLI's --out) when given.
 */
function claimFolder(root: string, name: string, outFlag?: string): string {
  const parent = join(root, name);
  try {
    ensureDir(parent);
  } catch (e) {
    throw e instanceof NmflabError && outFlag ? e.withContext({ pathPrefix: outFlag }) : e;
  }
  const base = stamp(new Date());
  for (let n = 1; ; n++) {
    const dir = join(parent, n === 1 ? base : `${base}-${n}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(e, dir, 'create the folder');
    }
  }
}

/**
 * Read and check a sweep folder's sweep.yaml: every key the runner relies on, with one line naming
 * the file when it is empty, corrupt or incomplete.
 */
export function readSweepFile(dir: string, shown: string): SweepFile {
  const sweepFile = join(dir, 'sweep.yaml');
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new NmflabError('not a sweep folder', {
      file: shown,
      expected: 'a folder holding sweep.yaml (results/<experiment>/<stamp>)',
      found: 'no such folder',
    });
  }
  if (!st.isDirectory())
    throw new NmflabError('not a sweep folder', {
      file: shown,
      expected: 'a folder holding sweep.yaml (results/<experiment>/<stamp>)',
      found: 'a file',
    });
  if (!existsSync(sweepFile))
    throw new NmflabError('not a sweep folder', {
      file: shown,
      expected: 'a folder holding sweep.yaml (results/<experiment>/<stamp>)',
    });
  const where = displayPath(sweepFile);
  let text: string;
  try {
    text = readFileSync(sweepFile, 'utf8');
  } catch (e) {
    throw fsError(e, sweepFile, 'read');
  }
  let sf: unknown;
  try {
    sf = yamlParse(text, { maxAliasCount: 1000 });
  } catch (e) {
    throw new NmflabError(`corrupt sweep.yaml: ${(e as Error).message.split('\n')[0]}`, { file: where });
  }
  const bad = (path: string, expected: string, found: unknown) =>
    new NmflabError('corrupt sweep.yaml', {
      file: where,
      path,
      expected,
      found: found === undefined ? 'nothing' : (JSON.stringify(found)?.slice(0, 60) ?? String(found)),
    });
  if (sf === null || typeof sf !== 'object' || Array.isArray(sf))
    throw bad('', 'a mapping (experiment, config, axes, runs, base)', sf);
  const o = sf as Record<string, unknown>;
  if (typeof o.experiment !== 'string') throw bad('experiment', 'the experiment name', o.experiment);
  if (typeof o.config !== 'string') throw bad('config', 'the config file name', o.config);
  if (o.base === null || typeof o.base !== 'object' || Array.isArray(o.base))
    throw bad('base', 'the composed config (a mapping)', o.base);
  if (
    !Array.isArray(o.axes) ||
    !o.axes.every(
      (a) =>
        a &&
        typeof a === 'object' &&
        typeof (a as { path?: unknown }).path === 'string' &&
        Array.isArray((a as { values?: unknown }).values),
    )
  ) {
    throw bad('axes', 'a list of { path, values }', o.axes);
  }
  if (
    !Array.isArray(o.runs) ||
    !o.runs.every(
      (r) =>
        r &&
        typeof r === 'object' &&
        typeof (r as { run?: unknown }).run === 'string' &&
        /^\d{4,}$/.test((r as { run: string }).run),
    )
  ) {
    throw bad('runs', 'a list of { run: 0000, seed, varied }', o.runs);
  }
  if (o.seeds !== undefined && !(Number.isInteger(o.seeds) && (o.seeds as number) >= 1))
    throw bad('seeds', 'an integer ≥ 1', o.seeds);
  return sf as SweepFile;
}

/** A run folder's run.json, or undefined when absent or unreadable. */
export function readRecord(dir: string, name: string): RunRecord | undefined {
  const f = join(dir, name, 'run.json');
  if (!existsSync(f)) return undefined;
  try {
    const r = JSON.parse(readFileSync(f, 'utf8')) as unknown;
    // A record without its status is as good as none: the run is rerun (resume) or shown as to do.
    if (r === null || typeof r !== 'object' || typeof (r as RunRecord).status !== 'string') return undefined;
    return r as RunRecord;
  } catch {
    return undefined;
  }
}

/** summary.csv: one row per run — status, varied parameters, final metrics, iterations, seconds. */
export function summaryRows(
  prepared: { runs: { index: number; name: string; varied: Record<string, unknown>; config: { seed: number } }[] },
  records: (RunRecord | undefined)[],
  running: ReadonlySet<number> = new Set(),
): Record<string, unknown>[] {
  return prepared.runs.map((r) => {
    const rec = records[r.index];
    const status: RunStatus = rec?.status ?? (running.has(r.index) ? 'running' : 'queued');
    return {
      run: r.name,
      status,
      ...Object.fromEntries(
        Object.entries(r.varied).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]),
      ),
      seed: r.config.seed,
      ...(rec?.metrics ?? {}),
      iterations: rec?.iterations,
      stopReason: rec?.stopReason,
      seconds: rec?.seconds === undefined ? undefined : rec.seconds.toFixed(3),
      error: rec?.error,
    };
  });
}

export interface OpenOptions {
  /** The YAML config (ignored with `resume`, which reads the sweep folder's sweep.yaml). */
  configFile?: string;
  /**
   * The config itself instead of a file (from code): the same keys as the YAML, no `extends`;
   * paths in it are relative to the working directory. Recorded in sweep.yaml as `<config>`.
   */
  config?: Record<string, unknown>;
  sets?: readonly string[];
  sweeps?: readonly string[];
  /** Plugin module files from the command line, added to the config's `plugins:`. */
  plugins?: readonly string[];
  /** Root of results (default `results`). */
  outDir?: string;
  /** How errors name `outDir` when its folders cannot be created (the CLI passes `--out`). */
  outFlag?: string;
  /** Sweep folder of an interrupted experiment to complete. */
  resume?: string;
  /** Builds the environment (registry, signal layer) from the user's plugin files. */
  createRunEnv: (pluginFiles: string[]) => Promise<RunEnv>;
  /**
   * Before a new sweep folder is claimed: return an existing sweep folder to complete instead (the
   * queue submitter finds the folder of an earlier submission of the same sweep this way).
   */
  reuseFolder?: (prepared: PreparedExperiment, parent: string) => string | undefined;
  /** Extra top-level entries recorded in a new sweep.yaml (e.g. the queue's sweep id). */
  sweepExtra?: (prepared: PreparedExperiment) => Record<string, unknown>;
  /**
   * Delete leftover `.*.tmp`/`.*.old` entries of a resumed folder (default true). The queue
   * submitter passes false: workers on other machines may be writing into the folder right now.
   */
  cleanTemporaries?: boolean;
}

export interface OpenedExperiment {
  dir: string;
  prepared: PreparedExperiment;
  /** Records of the runs whose folder is already `completed` (by run index). */
  records: (RunRecord | undefined)[];
  /** The environment built while preparing (registry with the config's plugins). */
  env: RunEnv;
}

/**
 * Prepare an experiment and its sweep folder: a fresh `results/<name>/<stamp>/` with sweep.yaml,
 * or the folder of `resume` (replayed from its sweep.yaml) with its completed runs loaded.
 */
export async function openExperiment(opts: OpenOptions): Promise<OpenedExperiment> {
  let registryEnv: RunEnv | undefined;
  const makeRegistry = async (files: string[]): Promise<Registry> => {
    registryEnv = await opts.createRunEnv(files);
    return registryEnv.registry;
  };
  let prepared: PreparedExperiment;
  let dir: string;
  const records: (RunRecord | undefined)[] = [];
  const loadCompleted = () => {
    for (const r of prepared.runs) {
      const rec = readRecord(dir, r.name);
      // Completed only when every file it lists is whole: a cut-short or edited file reruns the run.
      if (rec?.status === 'completed' && runFilesIntact(join(dir, r.name), rec)) records[r.index] = rec;
    }
  };
  if (opts.resume) {
    dir = resolve(opts.resume);
    const sweepFile = join(dir, 'sweep.yaml');
    const sf = readSweepFile(dir, displayPath(opts.resume));
    // The sweep is replayed from its recorded axes, so the runs come out exactly as first planned.
    const base = {
      ...sf.base,
      sweep: {
        ...Object.fromEntries(sf.axes.map((a) => [a.path, a.values])),
        ...(sf.seeds ? { seeds: sf.seeds } : {}),
      },
    };
    prepared = await prepareFromBase(sf.config, base, [], makeRegistry);
    const planned = prepared.runs.map((r) => ({ run: r.name, seed: r.config.seed, varied: r.varied }));
    if (JSON.stringify(planned) !== JSON.stringify(sf.runs)) {
      throw new NmflabError('the sweep no longer expands to the recorded runs', {
        file: displayPath(sweepFile),
        hint: 'the plugins or their defaults changed; start a new experiment',
      });
    }
    // Leftovers of a crash: run folders being written (.0003.tmp) and atomic-write temporaries.
    if (opts.cleanTemporaries ?? true) {
      for (const entry of readdirSync(dir))
        if (/^\..*\.(tmp|old)$/.test(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
    }
    loadCompleted();
  } else {
    if (opts.config) {
      prepared = await prepareConfig(opts.config, opts, makeRegistry);
    } else {
      if (!opts.configFile) throw new NmflabError('no config file given', { expected: 'nmflab run CONFIG.yaml' });
      prepared = await prepareExperiment(
        opts.configFile,
        { sets: opts.sets, sweeps: opts.sweeps, plugins: opts.plugins },
        makeRegistry,
      );
    }
    const name = prepared.runs[0].config.name;
    const root = resolve(opts.outDir ?? 'results');
    const existing = opts.reuseFolder?.(prepared, join(root, name));
    if (existing) {
      dir = existing;
      loadCompleted();
    } else {
      dir = claimFolder(root, name, opts.outFlag);
      const sf: SweepFile = {
        experiment: name,
        config: prepared.file,
        created: new Date().toISOString(),
        seed: prepared.runs[0].config.seed,
        axes: prepared.plan.axes,
        ...(prepared.plan.seeds ? { seeds: prepared.plan.seeds } : {}),
        runs: prepared.runs.map((r) => ({ run: r.name, seed: r.config.seed, varied: r.varied })),
        base: Object.fromEntries(Object.entries(prepared.base).filter(([k]) => k !== 'sweep')),
        ...(opts.sweepExtra?.(prepared) ?? {}),
      };
      writeFileAtomic(join(dir, 'sweep.yaml'), yamlStringify(sf, { lineWidth: 0 }));
    }
  }
  return { dir, prepared, records, env: registryEnv! };
}

/** An in-memory config prepared as a file's would be (overrides, plugins, sweep, validation). */
function prepareConfig(
  config: Record<string, unknown>,
  opts: OpenOptions,
  makeRegistry: (files: string[]) => Promise<Registry>,
): Promise<PreparedExperiment> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new NmflabError('a config must be a mapping', {
      file: CODE_CONFIG,
      expected: 'an object of keys (name, data, model, …)',
      found: typeof config,
    });
  }
  if ('extends' in config)
    throw new NmflabError('extends is for config files', {
      file: CODE_CONFIG,
      path: 'extends',
      expected: 'a complete config (merge objects in code)',
    });
  const base = applyOverrides(structuredClone(config), opts.sets ?? []);
  if (opts.plugins?.length)
    base.plugins = [...(Array.isArray(base.plugins) ? base.plugins : []), ...opts.plugins.map(displayPath)];
  return prepareFromBase(CODE_CONFIG, base, opts.sweeps ?? [], makeRegistry);
}

/** The file name errors and sweep.yaml give a config passed as an object. */
const CODE_CONFIG = '<config>';

export async function runExperiment(opts: ExperimentOptions): Promise<ExperimentResult> {
  const { dir, prepared, records, env: registryEnv } = await openExperiment(opts);
  const provenance = collectProvenance(opts.packages);
  const pending = prepared.runs.filter((r) => records[r.index]?.status !== 'completed');
  const running = new Set<number>();
  const writeSummary = () =>
    writeFileAtomic(join(dir, 'summary.csv'), tableCsv(summaryRows(prepared, records, running), ['run', 'status']));
  writeSummary();
  opts.onEvent?.({ type: 'planned', dir, total: prepared.runs.length, pending: pending.length });
  const experiment = prepared.runs[0].config.name;
  const toJob = (r: PreparedRun): RunJob => ({
    index: r.index,
    name: r.name,
    dir,
    experiment,
    config: r.config,
    varied: r.varied,
    provenance,
  });
  const onStart = (r: PreparedRun) => {
    running.add(r.index);
    opts.onEvent?.({ type: 'start', index: r.index, name: r.name });
  };
  const onEnd = (r: PreparedRun, rec: RunRecord) => {
    running.delete(r.index);
    records[r.index] = rec;
    writeSummary();
    opts.onEvent?.({ type: 'end', index: r.index, name: r.name, record: rec });
  };
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), pending.length || 1));
  try {
    await runPending();
  } catch (e) {
    // A run folder or summary.csv could not be written: leave summary.csv saying what is done, if the disk lets us.
    running.clear();
    try {
      writeSummary();
    } catch {
      // the first error is the one reported
    }
    throw e;
  }
  async function runPending() {
    if (opts.workerSetupModule) {
      await runInWorkers(pending, jobs, opts, prepared, toJob, onStart, onEnd, provenance, running);
    } else {
      for (const r of pending) {
        if (opts.signal?.aborted) break;
        onStart(r);
        const rec = await performRun(toJob(r), registryEnv!, {
          signal: opts.signal,
          onProgress: (iteration, max) => opts.onEvent?.({ type: 'progress', index: r.index, iteration, max }),
        });
        onEnd(r, rec);
      }
    }
  }
  writeSummary();
  writeAggregate(dir, records);
  const list = prepared.runs.map((r) => records[r.index]);
  return {
    dir,
    records: list,
    warnings: settingWarnings(opts, list),
    interrupted: Boolean(opts.signal?.aborted) || list.some((r) => r?.status === 'interrupted'),
    failed: list.filter((r) => r?.status === 'failed').length,
    completed: list.filter((r) => r?.status === 'completed').length,
  };
}

/**
 * Warnings for the settings a user gave on the command line that did not take effect as written:
 * plugins replaced by --set (their params dropped) and --set/--sweep values of a setting the runs
 * did not use (`model.rank` when the task took its ranks from elsewhere).
 */
function settingWarnings(opts: ExperimentOptions, records: (RunRecord | undefined)[]): string[] {
  const out: string[] = [];
  if (opts.sets?.length && opts.configFile && !opts.resume) {
    try {
      out.push(...overrideWarnings(loadComposed(opts.configFile), opts.sets));
    } catch {
      // the config loaded once already; a problem here only costs the warning
    }
  }
  const given = [...(opts.sets ?? []), ...(opts.sweeps ?? [])].map((s) =>
    s.slice(0, Math.max(0, s.indexOf('='))).trim(),
  );
  const done = records.filter((r): r is RunRecord => r?.status === 'completed');
  for (const path of new Set(done.flatMap((r) => r.unused ?? []))) {
    const n = done.filter((r) => r.unused?.includes(path)).length;
    const by = given.find((g) => g === path);
    if (by)
      out.push(
        `${by} was not used by the task in ${n} of ${done.length} completed run${done.length === 1 ? '' : 's'} (it chose its own value; see its params)`,
      );
  }
  return out;
}

function runInWorkers(
  pending: PreparedRun[],
  jobs: number,
  opts: ExperimentOptions,
  prepared: PreparedExperiment,
  toJob: (r: PreparedRun) => RunJob,
  onStart: (r: PreparedRun) => void,
  onEnd: (r: PreparedRun, rec: RunRecord) => void,
  provenance: Provenance,
  running: Set<number>,
): Promise<void> {
  const abort = new SharedArrayBuffer(4);
  const flag = new Int32Array(abort);
  const pluginFiles = prepared.runs[0].config.plugins;
  const queue = [...pending];
  const byIndex = new Map(pending.map((r) => [r.index, r]));
  return new Promise<void>((done, fail) => {
    let live = 0;
    let fatal: NmflabError | undefined;
    const workers: Worker[] = [];
    const onAbort = () => Atomics.store(flag, 0, 1);
    // summary.csv is rewritten at each end: when that write fails (disk full) the sweep stops with it.
    const end = (r: PreparedRun, rec: RunRecord) => {
      try {
        onEnd(r, rec);
      } catch (e) {
        fatal ??= e instanceof NmflabError ? e : new NmflabError(`internal error: ${String(e)}`, { exitCode: 1 });
        Atomics.store(flag, 0, 1);
      }
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    let workerError: string | undefined;
    const finish = () => {
      opts.signal?.removeEventListener('abort', onAbort);
      // Every worker gone with runs still queued and no stop asked for (a worker that could not
      // start): those runs were never run, which must not pass for a finished sweep.
      if (!fatal && queue.length && !Atomics.load(flag, 0))
        fatal = new NmflabError(
          `${queue.length} of ${pending.length} run${pending.length === 1 ? '' : 's'} not run: the worker threads stopped (${workerError ?? 'no reason given'})`,
          { exitCode: 1, hint: `complete them with: nmflab run --resume ${displayPath(toJob(pending[0]).dir)}` },
        );
      Promise.all(workers.map((w) => w.terminate())).then(() => (fatal ? fail(fatal) : done()));
    };
    const next = (w: Worker & { current?: PreparedRun }) => {
      const r = Atomics.load(flag, 0) ? undefined : queue.shift();
      if (!r) {
        w.current = undefined;
        live--;
        if (live === 0) finish();
        return;
      }
      w.current = r;
      onStart(r);
      w.postMessage(toJob(r));
    };
    for (let i = 0; i < jobs; i++) {
      const w = new Worker(new URL('./worker.js', import.meta.url), {
        workerData: { setupModule: opts.workerSetupModule, pluginFiles, abort },
      }) as Worker & { current?: PreparedRun };
      workers.push(w);
      live++;
      w.on(
        'message',
        (m: {
          type: string;
          index: number;
          iteration?: number;
          max?: number;
          record?: RunRecord;
          error?: string;
          exitCode?: 1 | 2;
        }) => {
          if (m.type === 'ready') next(w);
          else if (m.type === 'fatal') {
            // Stop handing out runs; the others finish their current iteration and are not written.
            fatal ??= new NmflabError(m.error ?? 'cannot write the run folder', { exitCode: m.exitCode ?? 1 });
            Atomics.store(flag, 0, 1);
            running.delete(m.index);
            next(w);
          } else if (m.type === 'progress')
            opts.onEvent?.({ type: 'progress', index: m.index, iteration: m.iteration!, max: m.max! });
          else if (m.type === 'done') {
            end(byIndex.get(m.index)!, m.record!);
            next(w);
          } else if (m.type === 'crash') {
            const r = byIndex.get(m.index)!;
            end(r, {
              run: r.name,
              index: r.index,
              experiment: r.config.name,
              status: 'failed',
              seed: r.config.seed,
              varied: r.varied,
              error: m.error,
              provenance,
            });
            next(w);
          }
        },
      );
      w.on('error', (e) => {
        // A worker that dies takes its current run with it: record the failure, keep the others going.
        workerError = e.message;
        const r = w.current;
        if (r)
          end(r, {
            run: r.name,
            index: r.index,
            experiment: r.config.name,
            status: 'failed',
            seed: r.config.seed,
            varied: r.varied,
            error: `internal error: ${e.message}`,
            provenance,
          });
        w.current = undefined;
        live--;
        if (live === 0) finish();
      });
    }
  });
}

/**
 * Rebuild `<dir>/summary.csv` from sweep.yaml and the run folders (atomically), for sweeps whose
 * runs finish in other processes or on other machines (the queue's workers). A run without a
 * folder is `running` while a `.<run>.*tmp` folder exists, else `queued`. The file is written, then
 * the folders are read again and the file rewritten if anything changed meanwhile: of two writers
 * racing, the last one to write has seen every run folder renamed before the other's write.
 */
/**
 * `<dir>/aggregate.csv` (mean ± 95 % CI per metric over items and seeds, for each combination of
 * the other axes) when the sweep runs over corpus items or repeats seeds; returns its rows, or
 * undefined for a sweep with neither. The axes come from sweep.yaml, which keeps the item marks.
 */
export function writeAggregate(dir: string, records: readonly (RunRecord | undefined)[]): AggregateRow[] | undefined {
  if (!existsSync(join(dir, 'sweep.yaml'))) return undefined;
  const sf = readSweepFile(dir, displayPath(dir));
  if (!sf.axes.some((a) => a.over) && !(sf.seeds && sf.seeds > 1)) return undefined;
  const rows = aggregateRuns(sf.axes, records);
  writeFileAtomic(join(dir, 'aggregate.csv'), tableCsv(aggregateTable(rows)));
  return rows;
}

export function summarizeSweepFolder(dir: string): {
  runs: number;
  records: (RunRecord | undefined)[];
  aggregate?: AggregateRow[];
} {
  const sf = readSweepFile(dir, displayPath(dir));
  const runs = sf.runs.map((r, index) => ({ index, name: r.run, varied: r.varied ?? {}, config: { seed: r.seed } }));
  let previous = '';
  for (let round = 0; round < 10; round++) {
    const entries = readdirSync(dir);
    const records = runs.map((r) => readRecord(dir, r.name));
    const running = new Set(
      runs
        .filter((r) => !records[r.index] && entries.some((e) => e.startsWith(`.${r.name}.`) && e.endsWith('tmp')))
        .map((r) => r.index),
    );
    const text = tableCsv(summaryRows({ runs }, records, running), ['run', 'status']);
    if (text === previous) return { runs: runs.length, records, aggregate: writeAggregate(dir, records) };
    writeFileAtomic(join(dir, 'summary.csv'), text);
    previous = text;
  }
  const records = runs.map((r) => readRecord(dir, r.name));
  return { runs: runs.length, records, aggregate: writeAggregate(dir, records) };
}
