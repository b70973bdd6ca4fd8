import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Matrix,
  NmflabError,
  Rng,
  Stft,
  applyMask,
  describeValue,
  runExperiment as runCoreExperiment,
  wienerMasks,
  type ExperimentResult,
  type Registry,
  type RunEvent,
  type RunRecord,
  type SourceData,
  type StftOptions,
} from '@nmflab/core';
import {
  bssEvalSources,
  clusterComponents,
  partialModel,
  type BssSourcesOptions,
  type BssSourcesResult,
} from '@nmflab/tasks';
import { NMF, type NMFOptions } from './estimator.js';
import { createRegistry, createRunEnv, packageVersions } from './registry.js';
import { toMatrix, type MatrixInput } from './matrix-input.js';

/** A waveform: a Float64Array or an array of numbers. */
export type Signal = Float64Array | readonly number[];

function toSignal(x: unknown, path: string): Float64Array {
  if (x instanceof Float64Array) return x;
  if (ArrayBuffer.isView(x) || Array.isArray(x)) {
    const out = Float64Array.from(x as ArrayLike<number>);
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i]))
        throw new NmflabError('not a finite sample', {
          path: `${path}[${i}]`,
          expected: 'finite numbers',
          found: String(out[i]),
        });
    }
    return out;
  }
  throw new NmflabError('not a signal', {
    path,
    expected: 'a Float64Array or an array of numbers',
    found: describeValue(x),
  });
}

/**
 * BSS Eval v3 (Vincent et al. 2006, as mir_eval's `bss_eval_sources`): SDR, SIR, SAR in dB of
 * each reference, with the best matching of estimates to references (`perm`).
 *
 * @param references - the true sources, one waveform each (same length)
 * @param estimates - the estimated sources, as many as references
 * @param options - `permutation` (default true), `filterLength` (default 512)
 */
export function bssEval(
  references: readonly Signal[],
  estimates: readonly Signal[],
  options: BssSourcesOptions = {},
): BssSourcesResult {
  return bssEvalSources(
    references.map((r, i) => toSignal(r, `references[${i}]`)),
    estimates.map((e, i) => toSignal(e, `estimates[${i}]`)),
    options,
  );
}

/**
 * Load the data of a source plugin (e.g. `{ id: 'mixture-file', params: { path } }`): the mixture,
 * the true sources and the training recordings, as a YAML run's `data:` gives them.
 *
 * @param spec - a source id or `{ id, params }`
 * @param options - the seed of the source's draws, the registry
 */
export async function loadSource(
  spec: string | { id: string; params?: Record<string, unknown> },
  options: { seed?: number; registry?: Registry } = {},
): Promise<SourceData> {
  const registry = options.registry ?? createRegistry();
  const source = registry.create('source', spec, { path: 'data' });
  return source.load(new Rng(options.seed ?? 0).fork('source'));
}

/** Options of {@link separate}. */
export interface SeparateOptions {
  /**
   * Supervised: each source by name, with its training recording (a waveform) or its learned
   * dictionary W_k (F×K_k). Unsupervised: the number of sources.
   */
  sources: Record<string, Signal | MatrixInput> | number;
  /** `supervised` (dictionaries learned per source, frozen on the mixture) or `unsupervised` (one fit, components grouped by k-means). Default: supervised for named sources, unsupervised for a count. */
  method?: 'supervised' | 'unsupervised';
  /** Samples per second (recorded in the result; the STFT does not depend on it). Default 16000. */
  sampleRate?: number;
  /** The STFT (default: 1024-sample Hann frames, hop 256, centred). */
  stft?: Partial<StftOptions>;
  /** Factorize |Y| (`magnitude`, default) or |Y|² (`power`). */
  representation?: 'magnitude' | 'power';
  /** Components per source (supervised, default 20) or in all (unsupervised, default 10 per source). */
  rank?: number;
  /** The NMF of each fit (divergence, stopping, seed, …); default KL-NMF, 200 iterations, seed 0. */
  model?: Omit<NMFOptions, 'rank'>;
  /** α of the Wiener masks Λ_k^α / Σ_j Λ_j^α (default 1). */
  maskExponent?: number;
}

/** What {@link separate} returns. */
export interface Separation {
  /** One estimated waveform per source, in the order of `sources` (`group-k` when unsupervised). */
  estimates: { name: string; samples: Float64Array }[];
  /** The dictionary W = [W_1 … W_n] and the activations H on the mixture. */
  W: Matrix;
  H: Matrix;
  /** Column indices of W of each source. */
  groups: number[][];
  sampleRate: number;
}

/**
 * NMF source separation of a mono mixture: V = |STFT(x)|, V ≈ WH, source k's model Λ_k = W_k H_k,
 * Wiener masks M_k = Λ_k^α / Σ_j Λ_j^α applied to the mixture STFT and inverted (the mixture's
 * phase). Supervised (Smaragdis et al. 2007): W_k learned on each source's training recording
 * (or given), frozen, only H fitted on the mixture. Unsupervised: one fit, the components grouped
 * by k-means of their log-spectra. The YAML task `separate` does the same with oracle baselines.
 *
 * @param mixture - the mixture waveform
 * @param options - the sources (training recordings, dictionaries or a count), the method, the STFT and the model
 */
export function separate(mixture: Signal, options: SeparateOptions): Separation {
  const x = toSignal(mixture, 'mixture');
  const sampleRate = options.sampleRate ?? 16000;
  const stft = new Stft(
    { frameLength: 1024, hop: 256, ...options.stft, sampleRate, representation: options.representation ?? 'magnitude' },
    { path: 'stft' },
  );
  const Y = stft.analyze(x);
  const V = stft.represent(Y);
  const model = { divergence: 'kl', ...options.model } as Omit<NMFOptions, 'rank'>;
  const named = typeof options.sources === 'object' && options.sources !== null;
  const method = options.method ?? (named ? 'supervised' : 'unsupervised');
  let W: Matrix;
  let H: Matrix;
  let groups: number[][];
  let names: string[];
  if (method === 'supervised') {
    if (!named)
      throw new NmflabError('supervised separation needs the sources by name', {
        path: 'sources',
        expected: 'an object { name: training waveform or dictionary W }',
        found: describeValue(options.sources),
      });
    const entries = Object.entries(options.sources as Record<string, unknown>);
    if (entries.length < 2)
      throw new NmflabError('at least two sources are needed', {
        path: 'sources',
        expected: '2 or more names',
        found: String(entries.length),
      });
    names = entries.map(([n]) => n);
    const rank = options.rank ?? 20;
    const dictionaries = entries.map(([name, s]) => {
      if (s instanceof Float64Array || (Array.isArray(s) && typeof s[0] === 'number')) {
        const t = toSignal(s, `sources.${name}`);
        return new NMF({ ...model, rank }).fit(stft.represent(stft.analyze(t))).components;
      }
      const w = toMatrix(s, `sources.${name}`);
      if (w.rows !== V.rows)
        throw new NmflabError('dictionary has another number of rows than the STFT bins', {
          path: `sources.${name}`,
          expected: `${V.rows} rows`,
          found: `${w.rows}×${w.cols}`,
        });
      return w;
    });
    const K = dictionaries.reduce((s, w) => s + w.cols, 0);
    W = new Matrix(V.rows, K);
    groups = [];
    let c0 = 0;
    for (const w of dictionaries) {
      for (let f = 0; f < V.rows; f++) W.data.set(w.data.subarray(f * w.cols, (f + 1) * w.cols), f * K + c0);
      groups.push(Array.from({ length: w.cols }, (_, i) => c0 + i));
      c0 += w.cols;
    }
    // A model holding the concatenated dictionary: transform fits H with W frozen.
    H = new NMF({ ...model, rank: K }).withComponents(W).transform(V);
  } else if (method === 'unsupervised') {
    const n = named ? Object.keys(options.sources).length : (options.sources as number);
    if (!Number.isInteger(n) || n < 2)
      throw new NmflabError('invalid number of sources', {
        path: 'sources',
        expected: 'an integer ≥ 2',
        found: describeValue(options.sources),
      });
    names = named ? Object.keys(options.sources) : Array.from({ length: n }, (_, k) => `group-${k + 1}`);
    const fitted = new NMF({ ...model, rank: options.rank ?? 10 * n }).fit(V);
    W = fitted.components;
    H = fitted.activations;
    groups = clusterComponents(W, n, new Rng(fitted.seed).fork('cluster'));
  } else {
    throw new NmflabError('not an allowed value', {
      path: 'method',
      expected: 'one of supervised, unsupervised',
      found: describeValue(method),
    });
  }
  const models = groups.map((g) => partialModel(W, H, g));
  const masks = wienerMasks(models, options.maskExponent ?? 1);
  const estimates = masks.map((m, k) => ({ name: names[k], samples: stft.synthesize(applyMask(Y, m), x.length) }));
  return { estimates, W, H, groups, sampleRate };
}

/** Options of {@link runExperiment}. */
export interface RunExperimentOptions {
  /** Root folder of the results (default `results`): the sweep goes into `<out>/<name>/<stamp>/`. */
  out?: string;
  /** Runs in parallel on worker threads (default: the core count; 1 runs in this thread). */
  jobs?: number;
  /** Abort the experiment: running fits stop between iterations, their runs are `interrupted`. */
  signal?: AbortSignal;
  /** Every event of the sweep: planned, start, progress (iterations), end (with the run record). */
  onProgress?: (event: RunEvent) => void;
  /** `path=value` overrides, as `nmflab run --set`. */
  sets?: readonly string[];
  /** `path=v1,v2` sweep axes, as `nmflab run --sweep`. */
  sweeps?: readonly string[];
  /** Plugin module files, as `nmflab run --plugin`. */
  plugins?: readonly string[];
}

/** What {@link runExperiment} returns: the sweep folder and one record (run.json) per run. */
export interface ExperimentRun extends ExperimentResult {
  records: RunRecord[];
}

/** The worker-thread setup module: this package's registry module, when running from its build. */
function workerSetup(): string | undefined {
  const url = new URL('./registry.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url.href : undefined;
}

/**
 * Run a YAML experiment (or a config object with the same keys) as `nmflab run` does: every run
 * of its sweep, each in its own folder with run.json, metrics and factors, and `summary.csv`.
 * The promise resolves when every run has ended (or the signal aborted the rest).
 *
 * @param pathOrConfig - a YAML file, or the config itself (`{ name, data, model, task, sweep, … }`)
 * @param options - output root, parallel jobs, abort signal, progress callback, overrides
 * @returns the sweep folder and the run records
 */
export async function runExperiment(
  pathOrConfig: string | Record<string, unknown>,
  options: RunExperimentOptions = {},
): Promise<ExperimentRun> {
  const jobs = options.jobs ?? availableParallelism();
  const setup = jobs > 1 ? workerSetup() : undefined;
  const result = await runCoreExperiment({
    ...(typeof pathOrConfig === 'string' ? { configFile: pathOrConfig } : { config: pathOrConfig }),
    sets: options.sets,
    sweeps: options.sweeps,
    plugins: options.plugins,
    outDir: options.out,
    jobs,
    workerSetupModule: setup,
    signal: options.signal,
    onEvent: options.onProgress,
    createRunEnv,
    packages: packageVersions(),
  });
  return { ...result, records: result.records.filter((r): r is RunRecord => r !== undefined) };
}
