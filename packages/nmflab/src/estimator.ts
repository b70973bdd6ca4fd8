import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFIG_SCHEMA,
  ComplexMatrix,
  Matrix,
  NmflabError,
  NmflabErrors,
  Rng,
  describeValue,
  didYouMean,
  fit as runFit,
  matmul,
  matrixToNpy,
  readMatrix,
  trajectoryCsv,
  validatePlainParams,
  writeFileAtomic,
  type FitResult,
  type ParamsSpec,
  type PluginRef,
  type Problem,
  type Registry,
  type StopReason,
  type TrajectoryRow,
} from '@nmflab/core';
import { createRegistry, packageVersions } from './registry.js';
import { isComplexMatrix, toMatrix, type DataInput, type MatrixInput } from './matrix-input.js';

/**
 * Estimators in the manner of scikit-learn, in nmflab's notation: the data V is F×N (features ×
 * samples: frequency bins × frames for a spectrogram), V ≈ WH with W F×K (the dictionary,
 * {@link Estimator.components}) and H K×N (the activations). scikit-learn puts samples in rows:
 * its X is Vᵀ, its `components_` is Wᵀ and its `fit_transform(X)` returns Hᵀ.
 *
 * Every estimator fits one solver plugin through the same loop as a YAML run (`fit` of
 * @nmflab/core), with the options validated by the same schemas and reported with the same errors
 * (an {@link NmflabError} naming the option). A model fitted from code gives the same numbers as
 * the YAML config that {@link Estimator.toConfig} returns.
 */

/** Options every estimator shares (the YAML config's `model:` block, `seed`, and the mask). */
export interface CommonOptions {
  /** Number of components K (YAML `model.rank`). */
  rank: number;
  /** Hard cap on iterations (YAML `model.stopping.maxIterations`, default 200). */
  maxIterations?: number;
  /** Relative objective decrease over `window` iterations below which the fit stops (default 0: never). */
  tol?: number;
  /** Iterations between two `tol` checks (default 10). */
  window?: number;
  /** Stop when the relative change of the factors falls below this (default 0: never). */
  factorTol?: number;
  /** Restarts from different seeds; the lowest final objective wins (default 1). */
  restarts?: number;
  /** Seed of every random draw (YAML `seed`, default 0). */
  seed?: number;
  /** Non-negative weights M (F×N) of the objective Σ M⊙d(V|WH), used by `fit` (solvers that support it). */
  mask?: MatrixInput;
  /** The registry to resolve plugins in (default: the built-in plugins; see {@link createRegistry}). */
  registry?: Registry;
}

/** Options of the generic {@link Estimator}: any solver plugin, by id or `{ id, params }`. */
export interface EstimatorOptions extends CommonOptions {
  /** The solver plugin: an id (`'mu'`) or `{ id, params }` as in YAML `model.solver`. */
  solver: string | { id: string; params?: Record<string, unknown> };
}

/** Per-call controls of a fit (the fit itself is synchronous). */
export interface FitControl {
  /** Checked between iterations (an AbortSignal works): the fit stops with reason `interrupted`. */
  signal?: { readonly aborted: boolean };
  /** Called after every iteration (iteration 0 is the initial point). */
  onIteration?: (row: TrajectoryRow, restart: number) => void;
  /** Progress of a long initialization (fraction 0…1). */
  onInitProgress?: (fraction: number) => void;
  /**
   * The random stream of this fit, instead of the estimator's own (`fit`: the seed's stream of a
   * YAML run's main fit; `transform`: a fork of the seed labelled `transform`).
   */
  rng?: Rng;
}

/** What {@link Estimator.save} writes to `model.json` (the factors are `W.npy` and `H.npy`). */
export interface SavedModel {
  format: 'nmflab-model';
  formatVersion: 1;
  /** The estimator class that saved it (NMF, ComplexNMF, PLSA, SparseCoding, Estimator). */
  estimator: string;
  /** The solver as fitted, every parameter explicit. */
  solver: PluginRef;
  rank: number;
  stopping: Required<Pick<CommonOptions, 'maxIterations' | 'tol' | 'window' | 'factorTol'>>;
  restarts: number;
  seed: number;
  /** Versions of the nmflab packages that fitted the model. */
  packages: Record<string, string>;
  /** The fit: shape, stop reason, iterations, final objective and the trajectory. */
  fit: {
    F: number;
    N: number;
    K: number;
    masked: boolean;
    stopReason: StopReason;
    iterations: number;
    objective: number | null;
    terms: Record<string, number>;
    restart: number;
    restartObjectives: number[];
    increases: number;
    seconds: number;
    trajectory: { iteration: number; objective: number | null; terms: Record<string, number> }[];
  };
  files: { W: string; H: string; trajectory: string };
}

const MODEL = CONFIG_SCHEMA.properties.model.properties;
const STOP = MODEL.stopping.properties;

/** The common options as declared parameters: the same JSON Schema fragments as the YAML config. */
export const COMMON_PARAMS: ParamsSpec = {
  rank: { ...MODEL.rank, required: true, description: 'number of components K (model.rank)' },
  maxIterations: { ...STOP.maxIterations, description: 'iteration cap (model.stopping.maxIterations)' },
  tol: { ...STOP.tol, description: 'relative objective decrease per window (model.stopping.tol)' },
  window: { ...STOP.window, description: 'iterations between tol checks (model.stopping.window)' },
  factorTol: { ...STOP.factorTol, description: 'relative factor change (model.stopping.factorTol)' },
  restarts: { ...MODEL.restarts, description: 'restarts, the best kept (model.restarts)' },
  seed: { ...CONFIG_SCHEMA.properties.seed, description: 'seed of every draw (seed)' },
};

const NON_SCHEMA_KEYS = ['mask', 'registry'] as const;
const COMMON_KEYS = new Set<string>([...Object.keys(COMMON_PARAMS), ...NON_SCHEMA_KEYS]);

/** The validated state an estimator is built from (also what `load` restores). */
export interface EstimatorSpec {
  solver: PluginRef;
  rank: number;
  stopping: SavedModel['stopping'];
  restarts: number;
  seed: number;
}

function throwAll(errors: NmflabError[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new NmflabErrors(errors);
}

function renamePath(e: NmflabError, rename: (path: string) => string): NmflabError {
  if (e instanceof NmflabErrors) return new NmflabErrors(e.errors.map((x) => renamePath(x, rename)));
  if (!e.path) return e;
  return new NmflabError(e.reason, {
    file: e.file,
    path: rename(e.path),
    expected: e.expected,
    found: e.found,
    hint: e.hint,
    exitCode: e.exitCode,
  });
}

/** Validate the common options (errors name the option); returns them with defaults filled. */
function validateCommon(options: Record<string, unknown>): {
  common: Omit<EstimatorSpec, 'solver'>;
  errors: NmflabError[];
} {
  const raw = Object.fromEntries(Object.entries(options).filter(([k, v]) => k in COMMON_PARAMS && v !== undefined));
  const { value, errors } = validatePlainParams(COMMON_PARAMS, raw, {});
  const v = value as Record<string, number>;
  return {
    common: {
      rank: v.rank!,
      stopping: { maxIterations: v.maxIterations!, tol: v.tol!, window: v.window!, factorTol: v.factorTol! },
      restarts: v.restarts!,
      seed: v.seed!,
    },
    errors,
  };
}

/**
 * Validate a solver spec through the registry (defaults filled, nested plugins resolved), as a
 * YAML `model.solver` is; `rename` maps the registry's paths onto the caller's option names.
 */
function validateSolver(
  registry: Registry,
  spec: unknown,
  path: string | undefined,
  rename: (p: string) => string = (p) => p,
): { ref?: PluginRef; errors: NmflabError[] } {
  const r = registry.validate('solver', spec, path ? { path } : {});
  return { ref: r.ref, errors: r.errors.map((e) => renamePath(e, rename)) };
}

/** Errors for keys that are neither common options nor `allowed`. */
function unknownKeys(options: Record<string, unknown>, allowed: readonly string[]): NmflabError[] {
  const known = [...COMMON_KEYS, ...allowed];
  return Object.keys(options)
    .filter((k) => !known.includes(k))
    .map((k) => {
      const dym = didYouMean(k, known);
      return new NmflabError('unknown option', {
        path: k,
        expected: `one of ${known.join(', ')}`,
        hint: dym ? `did you mean '${dym}'?` : undefined,
      });
    });
}

/** The current objective of a fit (null when it is not finite: JSON has no NaN). */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * An estimator over any solver plugin: built-in (`mu`, `complex-nmf`, `plsa`, `sparse-coding`)
 * or a user's. {@link NMF}, {@link ComplexNMF}, {@link PLSA} and {@link SparseCoding} are this
 * class with the solver fixed and its parameters given as plain options.
 *
 * @example
 * ```ts
 * const model = new Estimator({ solver: { id: 'mu', params: { divergence: 'is' } }, rank: 4, seed: 1 });
 * const H = model.fitTransform(V);
 * ```
 */
export class Estimator {
  /** The solver as validated (every default filled): the YAML `model.solver` of this model. */
  readonly solver!: PluginRef;
  /** Number of components K. */
  readonly rank!: number;
  /** Stopping rule (YAML `model.stopping`). */
  readonly stopping!: SavedModel['stopping'];
  readonly restarts!: number;
  readonly seed!: number;
  /** The registry plugins are resolved in. */
  readonly registry!: Registry;
  private mask?: Matrix;
  private fitted?: { W: Matrix; H: Matrix; result: FitResult | undefined; summary: SavedModel['fit'] | undefined };

  /**
   * @param options - the solver (id or `{ id, params }`), the rank, the stopping rule, the seed
   * @throws NmflabError naming the option when an option is invalid (all problems at once)
   */
  constructor(options: EstimatorOptions) {
    const registry = options.registry ?? createRegistry();
    const o = options as unknown as Record<string, unknown>;
    const errors = unknownKeys(o, ['solver']);
    const { common, errors: ce } = validateCommon(o);
    errors.push(...ce);
    const { ref, errors: se } = validateSolver(registry, options.solver, 'solver');
    errors.push(...se);
    throwAll(errors);
    this.init({ ...common, solver: ref! }, registry, options.mask);
  }

  /** Set every field from a validated spec (constructors and `load`). */
  protected init(spec: EstimatorSpec, registry: Registry, mask?: MatrixInput): void {
    const self = this as { -readonly [K in keyof Estimator]: Estimator[K] };
    self.solver = spec.solver;
    self.rank = spec.rank;
    self.stopping = spec.stopping;
    self.restarts = spec.restarts;
    self.seed = spec.seed;
    self.registry = registry;
    this.mask = mask === undefined ? undefined : toMatrix(mask, 'mask');
  }

  /** The class name recorded by `save` (subclasses keep their own). */
  protected get kind(): string {
    return this.constructor.name;
  }

  private problem(V: DataInput, extra: Partial<Problem> = {}): Problem {
    if (isComplexMatrix(V)) {
      const c = V as ComplexMatrix;
      const Y = V instanceof ComplexMatrix ? V : new ComplexMatrix(c.rows, c.cols, c.re, c.im);
      return { V: Y.abs(), Y, rank: this.rank, ...extra };
    }
    return { V: toMatrix(V, 'V'), rank: this.rank, ...extra };
  }

  private run(problem: Problem, stream: string, control: FitControl): FitResult {
    const solver = this.registry.instantiate('solver', this.solver, { path: 'solver' });
    // The same stream as a YAML run of the factorize task (seed → fork `fit:main`).
    return runFit(solver, problem, control.rng ?? new Rng(this.seed).fork(stream), {
      stopping: this.stopping,
      restarts: this.restarts,
      signal: control.signal,
      onIteration: control.onIteration,
      onInitProgress: control.onInitProgress,
      clock: this.registry.services.clock,
    });
  }

  /**
   * Fit V ≈ WH. Afterwards {@link components} is W and {@link activations} is H.
   *
   * @param V - the data, F×N: a Matrix, rows of numbers, `{ data, shape }`, or a ComplexMatrix
   *   (complex STFT; its modulus is V, and phase-aware solvers fit the complex values)
   * @param control - an abort signal and a per-iteration callback
   * @returns this estimator, fitted
   */
  fit(V: DataInput, control: FitControl = {}): this {
    const problem = this.problem(V, this.mask ? { mask: this.mask } : {});
    const res = this.run(problem, 'fit:main', control);
    this.fitted = { W: res.result.W, H: res.result.H, result: res, summary: summarize(res, problem) };
    return this;
  }

  /**
   * Fit V ≈ WH and return H (K×N), the activations of the training data.
   *
   * @param V - the data, F×N (see {@link fit})
   * @param control - an abort signal and a per-iteration callback
   */
  fitTransform(V: DataInput, control: FitControl = {}): Matrix {
    return this.fit(V, control).activations;
  }

  /**
   * The activations H (K×M) of new data with the dictionary W fixed: the solver runs with W
   * frozen and H started from the solver's initializer (seeded by the estimator's seed).
   *
   * @param V - new data, F×M (same F as the training data)
   * @param control - an abort signal and a per-iteration callback
   */
  transform(V: DataInput, control: FitControl = {}): Matrix {
    const W = this.components;
    const problem = this.problem(V, { W0: W, freezeW: true });
    if (problem.V.rows !== W.rows) {
      throw new NmflabError('new data has another number of rows than the dictionary', {
        path: 'V',
        expected: `${W.rows} rows (F)`,
        found: `${problem.V.rows}×${problem.V.cols}`,
      });
    }
    return this.run(problem, 'transform', control).result.H;
  }

  /**
   * The model WH (F×M) of activations H (K×M).
   *
   * @param H - activations, K×M
   */
  inverseTransform(H: MatrixInput): Matrix {
    const h = toMatrix(H, 'H');
    const W = this.components;
    if (h.rows !== W.cols)
      throw new NmflabError('H has another number of rows than the rank', {
        path: 'H',
        expected: `${W.cols} rows (K)`,
        found: `${h.rows}×${h.cols}`,
      });
    return matmul(W, h);
  }

  private get state(): NonNullable<Estimator['fitted']> {
    if (!this.fitted)
      throw new NmflabError('the model is not fitted', {
        expected: 'fit(V) or fitTransform(V) first, or a model from load(dir)',
      });
    return this.fitted;
  }

  private get summary(): SavedModel['fit'] {
    const s = this.state.summary;
    if (!s)
      throw new NmflabError('the model has given components and no fit', {
        expected: 'fit(V) first for the trajectory, stop reason and iterations',
      });
    return s;
  }

  /**
   * Use a given dictionary W (F×K, e.g. learned elsewhere) as this model's components, without a
   * fit: `transform` then codes new data with it. `activations` is then empty (K×0).
   *
   * @param W - the dictionary, F×K with K = rank
   * @returns this estimator
   */
  withComponents(W: MatrixInput): this {
    const w = toMatrix(W, 'W');
    if (w.cols !== this.rank)
      throw new NmflabError('W has another number of columns than the rank', {
        path: 'W',
        expected: `${this.rank} columns`,
        found: `${w.rows}×${w.cols}`,
      });
    this.fitted = { W: w, H: new Matrix(this.rank, 0), result: undefined, summary: undefined };
    return this;
  }

  /** True once `fit` has run (or the model was loaded). */
  get isFitted(): boolean {
    return this.fitted !== undefined;
  }

  /** The dictionary W (F×K); scikit-learn's `components_` is its transpose. */
  get components(): Matrix {
    return this.state.W;
  }

  /** The activations H (K×N) of the training data. */
  get activations(): Matrix {
    return this.state.H;
  }

  /** The objective after every iteration of the winning restart (row 0 is the initial point). */
  get trajectory(): readonly { iteration: number; objective: number | null; terms: Record<string, number> }[] {
    return this.summary.trajectory;
  }

  /** Why the fit stopped: max-iterations, objective-tolerance, factor-tolerance, interrupted, non-finite. */
  get stopReason(): StopReason {
    return this.summary.stopReason;
  }

  /** Iterations run (of the winning restart). */
  get nIterations(): number {
    return this.summary.iterations;
  }

  /** The final objective (null when it is not finite). */
  get objective(): number | null {
    return this.summary.objective;
  }

  /** The fit loop's whole result (solver extras such as complex components); undefined after `load`. */
  get fitResult(): FitResult | undefined {
    return this.state.result;
  }

  /**
   * The YAML `model:` block and `seed` of this estimator: with a source for V under `data:` and
   * the `factorize` task, `nmflab run` gives the same W and H.
   */
  toConfig(): {
    seed: number;
    model: { solver: PluginRef; rank: number; stopping: SavedModel['stopping']; restarts: number };
  } {
    return {
      seed: this.seed,
      model: {
        solver: structuredClone(this.solver),
        rank: this.rank,
        stopping: { ...this.stopping },
        restarts: this.restarts,
      },
    };
  }

  /**
   * Save the fitted model into `dir`: `model.json` (solver spec, versions, fit summary), `W.npy`,
   * `H.npy` (float64, readable with `numpy.load`) and `trajectory.csv`. Each file is written
   * atomically, model.json last.
   *
   * @param dir - the folder (created when missing)
   */
  save(dir: string): void {
    const s = { ...this.state, summary: this.summary };
    const saved: SavedModel = {
      format: 'nmflab-model',
      formatVersion: 1,
      estimator: this.kind,
      solver: this.solver,
      rank: this.rank,
      stopping: this.stopping,
      restarts: this.restarts,
      seed: this.seed,
      packages: packageVersions(),
      fit: s.summary,
      files: { W: 'W.npy', H: 'H.npy', trajectory: 'trajectory.csv' },
    };
    writeFileAtomic(join(dir, 'W.npy'), matrixToNpy(s.W));
    writeFileAtomic(join(dir, 'H.npy'), matrixToNpy(s.H));
    writeFileAtomic(
      join(dir, 'trajectory.csv'),
      trajectoryCsv(s.summary.trajectory.map((r) => ({ ...r, objective: r.objective ?? NaN, seconds: 0 }))),
    );
    writeFileAtomic(join(dir, 'model.json'), `${JSON.stringify(saved, null, 2)}\n`);
  }

  /**
   * Load a model saved by {@link save}. The solver spec is validated again through the registry
   * (a user plugin must be registered: pass `registry`). `NMF.load` checks that the folder holds
   * a model of its solver; `Estimator.load` takes any.
   *
   * @param dir - the folder `save` wrote
   * @param options - the registry to resolve the solver in
   */
  static load<T extends Estimator>(
    this: abstract new (
      ...args: never[]
    ) => T,
    dir: string,
    options: { registry?: Registry } = {},
  ): T {
    const file = join(dir, 'model.json');
    if (!existsSync(file))
      throw new NmflabError('not a saved model', {
        file,
        expected: 'a folder written by model.save(dir) (model.json, W.npy, H.npy)',
      });
    let saved: SavedModel;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as SavedModel;
    } catch (e) {
      throw new NmflabError(`unreadable model file: ${(e as Error).message}`, { file });
    }
    if (saved?.format !== 'nmflab-model' || saved.formatVersion !== 1) {
      throw new NmflabError('not an nmflab model file', {
        file,
        path: 'format',
        expected: 'nmflab-model, formatVersion 1',
        found: describeValue(saved?.format),
      });
    }
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass load() was called on (NMF.load checks for mu)
    const fixed = (this as unknown as { solverId?: string }).solverId;
    if (fixed && saved.solver?.id !== fixed) {
      throw new NmflabError(`not a model of the ${fixed} solver`, {
        file,
        path: 'solver.id',
        expected: JSON.stringify(fixed),
        found: describeValue(saved.solver?.id),
        hint: 'load it with Estimator.load(dir)',
      });
    }
    const registry = options.registry ?? createRegistry();
    const { common, errors } = validateCommon({
      rank: saved.rank,
      ...saved.stopping,
      restarts: saved.restarts,
      seed: saved.seed,
    });
    const { ref, errors: se } = validateSolver(registry, saved.solver, 'solver');
    throwAll([...errors, ...se].map((e) => (e.file ? e : e.withContext({ file }))));
    // biome-ignore lint/complexity/noThisInStatic: an instance of the subclass load() was called on
    const model = Object.create(this.prototype) as T;
    model.init({ ...common, solver: ref! }, registry);
    const W = readMatrix(join(dir, saved.files?.W ?? 'W.npy'));
    const H = readMatrix(join(dir, saved.files?.H ?? 'H.npy'));
    if (W.cols !== saved.rank || H.rows !== saved.rank) {
      throw new NmflabError('factor shapes do not match the rank', {
        file,
        path: 'rank',
        expected: `W F×${saved.rank}, H ${saved.rank}×N`,
        found: `W ${W.rows}×${W.cols}, H ${H.rows}×${H.cols}`,
      });
    }
    (model as unknown as { fitted: Estimator['fitted'] }).fitted = { W, H, result: undefined, summary: saved.fit };
    return model;
  }
}

function summarize(res: FitResult, problem: Problem): SavedModel['fit'] {
  const last = res.trajectory[res.trajectory.length - 1];
  return {
    F: problem.V.rows,
    N: problem.V.cols,
    K: problem.rank,
    masked: problem.mask !== undefined,
    stopReason: res.stopReason,
    iterations: res.iterations,
    objective: last ? finiteOrNull(last.objective) : null,
    terms: last?.terms ?? {},
    restart: res.restart,
    restartObjectives: res.restartObjectives,
    increases: res.increases.length,
    seconds: res.seconds,
    trajectory: res.trajectory.map((r) => ({
      iteration: r.iteration,
      objective: finiteOrNull(r.objective),
      terms: r.terms,
    })),
  };
}

/**
 * Build an estimator whose solver is fixed and whose solver parameters are plain options:
 * `options` minus the common ones become `{ id, params }`, validated as YAML `model.solver`;
 * error paths name the option (`lambda`, not `solver.params.lambda`).
 */
function fixedSolverSpec(
  id: string,
  options: Record<string, unknown>,
  registry: Registry,
  rename: (p: string) => string = (p) => p,
): { spec: EstimatorSpec; errors: NmflabError[] } {
  const params = Object.fromEntries(Object.entries(options).filter(([k, v]) => !COMMON_KEYS.has(k) && v !== undefined));
  const { common, errors } = validateCommon(options);
  const { ref, errors: se } = validateSolver(registry, { id, params }, undefined, (p) =>
    rename(p.replace(/^params\./, '')),
  );
  return { spec: { ...common, solver: ref! }, errors: [...errors, ...se] };
}

/** An estimator with a fixed solver (the subclasses below). */
abstract class FixedSolverEstimator extends Estimator {
  protected constructor(
    id: string,
    options: CommonOptions & Record<string, unknown>,
    aliases: readonly string[] = [],
    map: (o: Record<string, unknown>) => {
      params: Record<string, unknown>;
      errors: NmflabError[];
      rename?: (p: string) => string;
    } = (o) => ({ params: o, errors: [] }),
  ) {
    // Estimator's constructor validates a generic spec; a fixed solver builds its own first.
    const registry = options.registry ?? createRegistry();
    // Unknown keys are named against every option (common, the solver's, the aliases), once.
    const allowed = registry.has('solver', id)
      ? [...Object.keys(registry.get('solver', id).meta.params), ...aliases]
      : undefined;
    const unknown = allowed ? unknownKeys(options, allowed) : [];
    const known = Object.fromEntries(Object.entries(options).filter(([k]) => !unknown.some((e) => e.path === k)));
    const mapped = map(known);
    const { spec, errors } = fixedSolverSpec(id, mapped.params, registry, mapped.rename);
    throwAll([...unknown, ...mapped.errors, ...errors]);
    super({
      ...spec.stopping,
      rank: spec.rank,
      restarts: spec.restarts,
      seed: spec.seed,
      solver: spec.solver,
      registry,
      mask: options.mask,
    });
  }
}

/** Options of {@link NMF}: the common ones plus the parameters of its solver (`mu` by default). */
export interface NMFOptions extends CommonOptions {
  /** The solver plugin id (default `mu`, multiplicative updates). */
  solver?: string;
  /** The divergence d(V|WH): an id (`kl`, `is`, `euclidean`, `beta`, …) or `{ id, params }` (default `kl`). */
  divergence?: string | { id: string; params?: Record<string, unknown> };
  /** β of the β-divergence (2 Euclidean, 1 KL, 0 Itakura–Saito): shorthand for `divergence: { id: 'beta', params: { beta } }`. */
  beta?: number;
  /** The initializer: an id (`random`, `nndsvd`, `nndsvda`, …) or `{ id, params }` (default `random`). */
  init?: string | { id: string; params?: Record<string, unknown> };
  /** Penalties, each `{ id, params: { target: 'W' | 'H', lambda, … } }`. */
  regularizers?: (string | { id: string; params?: Record<string, unknown> })[];
  /** Any other parameter of the solver (see `nmflab plugins solver mu`): mode, normalize, eps, … */
  [solverParam: string]: unknown;
}

/**
 * Non-negative matrix factorization V ≈ WH (V F×N, W F×K, H K×N) with the `mu` solver
 * (multiplicative updates, monotone MM steps for every β) or another solver taking the same
 * parameters. scikit-learn mapping: `sklearn.decomposition.NMF(n_components=K, beta_loss=β,
 * solver='mu')` on X = Vᵀ has `components_` = Wᵀ and `fit_transform(X)` = Hᵀ.
 *
 * @example
 * ```ts
 * import { NMF } from 'nmflab';
 * const model = new NMF({ rank: 8, beta: 1, maxIterations: 300, seed: 0 });
 * const H = model.fitTransform(V);        // V: F×N
 * const Hnew = model.transform(Vnew);     // W fixed
 * model.save('model');                    // model.json, W.npy, H.npy
 * ```
 */
export class NMF extends FixedSolverEstimator {
  static readonly solverId: string | undefined = undefined;
  /**
   * @param options - rank, divergence or beta, init, regularizers, stopping, seed, mask and any
   *   parameter of the solver
   * @throws NmflabError naming the option when an option is invalid
   */
  constructor(options: NMFOptions) {
    const { solver = 'mu', ...rest } = options;
    super(solver, rest, ['beta', 'init'], (o) => {
      const { beta, init, ...params } = o;
      const errors: NmflabError[] = [];
      let rename = (p: string) => p.replace(/^initializer\b/, 'init');
      if (beta !== undefined) {
        if (params.divergence !== undefined)
          errors.push(
            new NmflabError('give divergence or beta, not both', {
              path: 'beta',
              expected: 'one of the two options',
              found: `divergence ${describeValue(params.divergence)} and beta ${describeValue(beta)}`,
            }),
          );
        else {
          params.divergence = { id: 'beta', params: { beta } };
          const base = rename;
          rename = (p) => base(p).replace(/^divergence\.params\.beta$/, 'beta');
        }
      }
      if (init !== undefined) params.initializer = init;
      return { params, errors, rename };
    });
  }
}

/** Options of {@link ComplexNMF}: the common ones plus complex-nmf's `lambda`, `p`, `refresh`, `phaseInit`. */
export interface ComplexNMFOptions extends CommonOptions {
  /** Weight λ of the sparsity penalty 2λΣ|H|^p (default 0). */
  lambda?: number;
  /** Exponent p of the penalty, 0 < p < 2 (default 1). */
  p?: number;
  refresh?: boolean;
  phaseInit?: 'random' | 'mixture' | 'given';
}

/**
 * Complex NMF (Kameoka et al. 2009) of a complex STFT Y (F×N): Y ≈ Σ_k W_k H_k e^{jφ_k}. `fit`
 * takes the ComplexMatrix Y (e.g. from {@link stft}); `components` is W, `activations` H, and
 * `fitResult.result.extra` holds the complex components.
 */
export class ComplexNMF extends FixedSolverEstimator {
  static readonly solverId = 'complex-nmf';
  constructor(options: ComplexNMFOptions) {
    super('complex-nmf', options as ComplexNMFOptions & Record<string, unknown>);
  }
}

/** Options of {@link PLSA}: the common ones plus plsa's `form`, `temper`, `holdout`, `earlyStopping`. */
export interface PLSAOptions extends CommonOptions {
  form?: 'asymmetric' | 'symmetric';
  temper?: number;
  holdout?: number;
  earlyStopping?: boolean;
}

/**
 * pLSA / PLCA by EM (Hofmann 1999): W = P(f|z) with unit-sum columns, H = N_n P(z|n). `transform`
 * is Hofmann's folding-in (topics fixed).
 */
export class PLSA extends FixedSolverEstimator {
  static readonly solverId = 'plsa';
  constructor(options: PLSAOptions) {
    super('plsa', options as PLSAOptions & Record<string, unknown>);
  }
}

/** Options of {@link SparseCoding}: the common ones plus sparse-coding's parameters. */
export interface SparseCodingOptions extends CommonOptions {
  method?: 'proximal' | 'nnsc';
  penalty?: 'l1' | 'lp' | 'log';
  lambda?: number;
  p?: number;
  sigma?: number;
  codes?: 'ista' | 'fista';
  codeIterations?: number;
  nonnegative?: boolean;
  dictionary?: 'gradient' | 'mod' | 'fixed';
}

/**
 * Sparse coding ½‖X − DA‖² + λΣS(A) (Olshausen & Field 1996) or non-negative sparse coding
 * (Hoyer 2002): D = W (unit-norm columns) is `components`, A = H the codes; `transform` codes new
 * data with the dictionary fixed.
 */
export class SparseCoding extends FixedSolverEstimator {
  static readonly solverId = 'sparse-coding';
  constructor(options: SparseCodingOptions) {
    super('sparse-coding', options as SparseCodingOptions & Record<string, unknown>);
  }
}
