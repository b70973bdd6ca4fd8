import { ContainerModule } from 'inversify';
import type { ComplexMatrix, Matrix } from '../linalg/matrix.js';
import type { KernelBackend } from '../linalg/kernel-backend.js';
import type { ParamsSpec, PluginRef } from './params.js';
import type { Registry } from './registry.js';
import type { Services } from './services.js';
import type { Rng } from '../rng.js';

/**
 * Plugin contracts. Every extension point of nmflab is a plugin kind; a plugin is a definition
 * `{ meta, create }` (as an ESLint rule is `{ meta, create }`): `meta` says what it is and declares
 * its parameters as data; `create(params, ctx)` builds the working object from validated params.
 */
export const PLUGIN_KINDS = ['divergence', 'regularizer', 'solver', 'initializer', 'metric', 'source', 'task'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** inversify service identifiers: one symbol per kind; every binding of a kind is collected. */
export const PluginTokens: { readonly [K in PluginKind]: symbol } = {
  divergence: Symbol.for('nmflab.plugin.divergence'),
  regularizer: Symbol.for('nmflab.plugin.regularizer'),
  solver: Symbol.for('nmflab.plugin.solver'),
  initializer: Symbol.for('nmflab.plugin.initializer'),
  metric: Symbol.for('nmflab.plugin.metric'),
  source: Symbol.for('nmflab.plugin.source'),
  task: Symbol.for('nmflab.plugin.task'),
};

export interface PluginMeta<K extends PluginKind = PluginKind> {
  kind: K;
  /** kebab-case; names the plugin's file, test file, config value and CLI name. */
  id: string;
  /** One line, shown by `nmflab plugins`. */
  description: string;
  params: ParamsSpec;
  /**
   * Task plugins only: `false` when the task fits no model (never calls `ctx.fit` nor reads
   * `ctx.rank`, e.g. clustering), so its configs may leave out the `model:` block. Default: true
   * (a config whose task fits a model and has no `model:` is rejected when it is validated).
   */
  needsModel?: boolean;
}

/**
 * What a factory gets besides its params: the registry (to build nested plugins), the services
 * bound in the container (clock, log sink) and where its params are in the config.
 */
export interface PluginContext {
  registry: Registry;
  services: Services;
  /** YAML path of this plugin's params (for error messages), e.g. `model.divergence.params`. */
  path: string;
  file?: string;
  /** The kernel backend solvers compute with (bound in the container); absent: `selectKernels()`. */
  kernels?: KernelBackend;
}

export interface PluginDefinition<K extends PluginKind = PluginKind, T = unknown, P = Record<string, unknown>> {
  meta: PluginMeta<K>;
  create(params: P, ctx: PluginContext): T;
  /**
   * Optional checks at validation time, before anything is created or run: that the files the
   * params name exist, are readable and hold data of the right shape. Throws NmflabError; its
   * path is relative to the params (e.g. `path`), the registry adds the YAML path in front.
   * A source that read its data matrix may return what validation needs to know of its values.
   */
  check?(params: P, ctx: PluginContext): DataFacts | undefined;
}

/**
 * What a source's check() learned of the data matrix it read, so validation can hold it against
 * the model (zeros with a divergence undefined at 0) before anything is created.
 */
export interface DataFacts {
  /** The data file, as given in the params. */
  file: string;
  /** The param naming it, relative to the source's params (e.g. `path`). */
  param: string;
  /** Entries equal to 0. */
  zeros: number;
}

// ---------------------------------------------------------------------------------------------
// Kind contracts
// ---------------------------------------------------------------------------------------------

/**
 * A separable divergence d(x|y) between data x (left) and model y (right), summed over entries.
 * β-family members set `beta` so solvers can take exact fast paths.
 */
export interface Divergence {
  readonly id: string;
  /** β when the divergence is the β-divergence d_β (2 EU, 1 KL, 0 IS); undefined otherwise. */
  readonly beta?: number;
  /** MM exponent γ of the multiplicative update (Févotte & Idier 2011), when known. */
  readonly mmExponent?: number;
  /** s with d(λx|λy) = λ^s d(x|y), when such a law holds. */
  readonly scaling?: number;
  /** The noise model for which Σd is the negative log-likelihood up to a constant. */
  readonly noiseModel?: string;
  /** True when d(0|y) is undefined (x must be > 0), e.g. β ≤ 0. */
  readonly needsPositiveData: boolean;
  /**
   * True for a left-argument (dual) divergence d(Λ|V): the model in the left argument. The
   * multiplicative-update theory (φ″ weight, MM exponent) does not apply; `weight` is undefined.
   */
  readonly dual?: boolean;
  /** ε added to both arguments by every method (0 or undefined: none). */
  readonly eps?: number;
  /** d(x|y) for scalars, x = 0 limit handled analytically. */
  point(x: number, y: number): number;
  /** ∂d(x|y)/∂y. */
  derivative(x: number, y: number): number;
  /**
   * φ″(y): the weight of the Bregman multiplicative update (right-argument problem). Undefined
   * where the MU theory does not apply (dual divergences): solvers must reject those.
   */
  weight?(y: number): number;
  /** Σ M⊙d(V|Λ) over all entries (M optional, same length). */
  value(V: Float64Array, L: Float64Array, M?: Float64Array): number;
  /** Negative log-likelihood of V given mean Λ under `noiseModel`, up to a constant. */
  negLogLikelihood?(V: Float64Array, L: Float64Array, M?: Float64Array): number;
}

/**
 * A penalty r(X) on one factor. `majorize(x̄)` gives (q, l) with r(x) ≤ q·x² + l·x + const near x̄,
 * tight at x = x̄ (quadratic bound for 1 < p < 2, tangent line for p ≤ 1), per entry.
 */
export interface Regularizer {
  readonly id: string;
  /** Which factor it penalizes. */
  readonly target: 'W' | 'H';
  readonly lambda: number;
  /** Exponent p of the penalty c·λΣ|x|^p (c = 1, except l2 = ½λΣx²): use value/majorize, not p, to compute. */
  readonly p: number;
  /** Floor on x̄ where x̄^{p−1} or x̄^{p−2} is taken (p < 2). */
  readonly eps?: number;
  /** The other factor's scale must be fixed (column normalization), else the penalty is void. */
  readonly needsNormalization: boolean;
  /** Σ r(x) over the entries. */
  value(X: Float64Array): number;
  /** r(x) for a scalar. */
  point(x: number): number;
  /** r′(x). */
  derivative(x: number): number;
  /** Per-entry majorizer coefficients around x̄, written into out[0] (q) and out[1] (l). */
  majorize(xbar: number, out: Float64Array): void;
  /**
   * The quadratic bound (q = c·λ(p/2)x̄^{p−2}, l = 0), valid for every 0 < p ≤ 2 (also p ≤ 1, where
   * `majorize` gives the tangent line). With it, at β = 2, adding 2q·x̄ = c·λp x̄^{p−1} to the MU
   * denominator is an exact MM step.
   */
  majorizeQuadratic?(xbar: number, out: Float64Array): void;
}

/** What a solver is asked to factorize. Solvers read the parts they need. */
export interface Problem {
  /** Non-negative data (F×N), or real data for sparse coding. */
  V: Matrix;
  /** Complex STFT (F×N) for phase-aware solvers (complex NMF). */
  Y?: ComplexMatrix;
  /**
   * Initial phase (radians, F×N) of each of the `rank` components, for phase-aware solvers
   * (complex NMF `phaseInit: given`), e.g. the phases of the sources' STFTs.
   */
  phase0?: Matrix[];
  rank: number;
  /** Non-negative weights M (F×N): the objective is Σ M⊙d(V|WH). */
  mask?: Matrix;
  W0?: Matrix;
  H0?: Matrix;
  /** Freeze all of W (true) or the listed columns of W. */
  freezeW?: boolean | number[];
  freezeH?: boolean;
}

export interface Objective {
  total: number;
  /** Data term and each penalty, by name (e.g. `data`, `l1(H)`). */
  terms: Record<string, number>;
}

export interface SolverResult {
  W: Matrix;
  H: Matrix;
  /** Solver-specific outputs, e.g. complex components for complex NMF. */
  extra?: Record<string, unknown>;
}

/**
 * A solver performs one iteration per `step`; the runner owns the loop, stopping, trajectory,
 * timing, progress and checkpoints. `step` works in place and allocates nothing.
 */
export interface Solver<S = unknown> {
  readonly id: string;
  /** True when the algorithm guarantees a non-increasing objective (MM); increases are flagged. */
  readonly monotone: boolean;
  /** `hooks`: the fit's interrupt flag and progress sink, handed on to the initializer. */
  init(problem: Problem, rng: Rng, hooks?: InitHooks): S;
  step(state: S): void;
  objective(state: S): Objective;
  result(state: S): SolverResult;
}

/**
 * What a long initialization reads while it runs: `signal.aborted` (Ctrl-C; checked between chunks
 * of work, then the initializer throws an NmflabError with exit code 130) and `progress` (the
 * fraction done, 0…1).
 */
export interface InitHooks {
  signal?: { readonly aborted: boolean };
  progress?: (fraction: number) => void;
}

export interface Initializer {
  readonly id: string;
  init(V: Matrix, rank: number, rng: Rng, hooks?: InitHooks): { W: Matrix; H: Matrix };
}

/** Inputs a metric may use; each metric reads what it needs and says clearly what is missing. */
export interface MetricInput {
  estimates?: Float64Array[];
  references?: Float64Array[];
  sampleRate?: number;
  V?: Matrix;
  W?: Matrix;
  H?: Matrix;
  /** The metric values computed so far in this run: the task's own, then each earlier metric's (e.g. bss-eval-sources' `perm`). */
  results?: Readonly<Record<string, MetricValue>>;
  [key: string]: unknown;
}

export type MetricValue = number | number[] | Record<string, number | number[]>;

export interface Metric {
  readonly id: string;
  compute(input: MetricInput): Record<string, MetricValue>;
}

/** Signals and/or a matrix with ground truth, produced by a source plugin. */
export interface SourceData {
  /** Mixture waveform and its rate, for audio sources. */
  signal?: { samples: Float64Array; sampleRate: number };
  /** Ground-truth source waveforms (same length as the mixture). */
  sources?: { name: string; samples: Float64Array }[];
  /** A data matrix, for non-audio sources. */
  matrix?: Matrix;
  /** Anything else the task needs: training signals, note lists, labels… */
  extra?: Record<string, unknown>;
}

export interface Source {
  readonly id: string;
  load(rng: Rng): SourceData | Promise<SourceData>;
}

/**
 * Time–frequency transform of a run (an STFT in practice): the runner builds it from the config's
 * `transform:` block and hands it to the task.
 */
export interface Transform {
  /** Complex spectrogram Y (F×N) of a waveform. */
  analyze(samples: Float64Array): ComplexMatrix;
  /** Waveform of `length` samples from a complex spectrogram (inverse transform). */
  synthesize(Y: ComplexMatrix, length: number): Float64Array;
  /** The non-negative representation factorized: |Y| (magnitude) or |Y|² (power). */
  represent(Y: ComplexMatrix): Matrix;
  readonly sampleRate: number;
}

/** Settings of a model fit a task may override per call (e.g. a rank per source, a frozen W). */
export interface FitRequest {
  problem: Problem;
  /** Name of this fit in logs and artifacts ("mixture", "train:speech"). */
  label?: string;
  /** Use another solver than the run's model: an id or `{ id, params }`, validated (defaults filled). */
  solver?: PluginRef | string;
  /**
   * The fit depends only on this request (data, rank, no start or frozen factors), e.g. learning a
   * dictionary on training recordings: the runner may return the result of an identical earlier
   * fit of this process (same data bytes, rank, solver, stopping, restarts and seed stream), which
   * is bit-identical to fitting again. The returned factors must not be modified.
   */
  reusable?: boolean;
}

/** What the runner gives a task: the data, the model fit loop, the transform, randomness. */
export interface TaskContext {
  data: SourceData;
  /** Present when the data is audio: the configured transform. */
  transform?: Transform;
  /**
   * Fit the run's configured model (solver, divergence, regularizers, initializer, stopping).
   * Throws an NmflabError when the config has no `model:` (tasks with `meta.needsModel: false`).
   */
  fit(request: FitRequest): import('./fit.js').FitResult;
  /** The configured rank K (reading it throws an NmflabError when the config has no `model:`). */
  readonly rank: number;
  rng: Rng;
  registry: Registry;
}

/** What a task returns; the runner writes it to the run folder and computes the metrics. */
export interface TaskOutput {
  /** Estimated signals (WAV artifacts), with the references they are scored against. */
  estimates?: { name: string; samples: Float64Array }[];
  references?: { name: string; samples: Float64Array }[];
  sampleRate?: number;
  /** The main factorization (its trajectory is the run's trajectory.csv). */
  fit?: import('./fit.js').FitResult;
  /** Matrices to save as `<name>.npy` (W, H, V, masks…). */
  matrices?: Record<string, Matrix>;
  /** Numbers the task measures itself (e.g. transcription F-measure, oracle baselines). */
  metrics?: Record<string, MetricValue>;
  /** Anything else worth saving as JSON. */
  extra?: Record<string, unknown>;
  /** Other files for the run folder, by file name (e.g. `W.png`): bytes or text. */
  files?: Record<string, Uint8Array | string>;
}

/** A task turns data into a result: factorize, separate, transcribe, extend band, transpose… */
export interface Task {
  readonly id: string;
  run(ctx: TaskContext): TaskOutput | Promise<TaskOutput>;
}

export interface PluginInstances {
  divergence: Divergence;
  regularizer: Regularizer;
  solver: Solver;
  initializer: Initializer;
  metric: Metric;
  source: Source;
  task: Task;
}

/** Define a plugin with its kind's instance type checked. */
export function definePlugin<K extends PluginKind, P = Record<string, unknown>>(
  def: PluginDefinition<K, PluginInstances[K], P>,
): PluginDefinition<K, PluginInstances[K], P> {
  return def;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
// biome-ignore lint/suspicious/noExplicitAny: a list of plugins holds definitions of every params type (create is contravariant in P)
export type AnyPlugin = PluginDefinition<PluginKind, unknown, any>;

/** An inversify ContainerModule binding each plugin to its kind's token (explicit registration). */
export function pluginModule(plugins: readonly AnyPlugin[]): ContainerModule {
  return new ContainerModule((options) => {
    for (const p of plugins) options.bind(PluginTokens[p.meta.kind]).toConstantValue(p);
  });
}

export type { PluginRef };
