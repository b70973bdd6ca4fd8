import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import {
  NmflabError,
  NmflabErrors,
  Rng,
  ensureDir,
  matrixToCsv,
  removeEmptyDirs,
  readMatrix,
  writeFilesAtomic,
  type FitResult,
  type Matrix,
  type PluginRef,
  type TrajectoryRow,
} from '@nmflab/core';
import { NMF } from 'nmflab';
import type { Argv } from 'yargs';
import { buildRegistry } from '../container.js';
import type { GlobalArgs } from '../args.js';

/**
 * `nmflab factorize`: one NMF of a matrix file with the `mu` solver (the library's `NMF`), written as DIR/W.csv,
 * DIR/H.csv, DIR/trajectory.csv (row 0 = initial point) and DIR/summary.json (stop reason…).
 *
 * The fit is synchronous, so it runs in a worker thread: the main thread stays free to catch
 * Ctrl-C and raises a shared flag the fit's AbortSignal reads between iterations; the worker then
 * writes the partial results with the stop reason `interrupted`.
 */
export interface FactorizeOptions {
  input: string;
  rank: number;
  divergence: string;
  beta?: number;
  phi?: string;
  iterations: number;
  mode: 'mm' | 'heuristic';
  /** mu's floor on Λ = WH where a negative power is taken: `eps2` (default, MM-correct) or `eps` (scikit-learn). */
  modelFloor?: 'eps' | 'eps2';
  init: string;
  w0?: string;
  h0?: string;
  mask?: string;
  seed: number;
  tol: number;
  restarts: number;
  offset?: number;
  out: string;
  plugin: string[];
}

export interface FactorizeHooks {
  signal?: AbortSignal;
  /** Called with a warning line (the fit goes on). */
  warn?: (line: string) => void;
  /** Called once per block of iterations (progress line). */
  progress?: (line: string) => void;
}

export interface FactorizeSummary {
  stopReason: FitResult['stopReason'];
  iterations: number;
  objective: number;
  restart: number;
  restartObjectives: number[];
  increases: FitResult['increases'];
  seconds: number;
  /** The solver as fitted: `{ id: 'mu', params }` with every default filled (what the options set). */
  solver: PluginRef;
}

/** Initializers that draw nothing at random: restarts from them are identical. */
const DETERMINISTIC_INITS = ['nndsvd', 'nndsvda', 'custom'];

function trajectoryCsv(rows: TrajectoryRow[]): string {
  const terms = rows.length ? Object.keys(rows[0].terms) : [];
  const lines = [['iteration', 'objective', ...terms, 'seconds'].join(',')];
  for (const r of rows)
    lines.push([r.iteration, r.objective, ...terms.map((t) => r.terms[t]), r.seconds].map(String).join(','));
  return `${lines.join('\n')}\n`;
}

/** A progress sink for the initialization: one line per tenth done, at most one a second. */
function initProgress(progress: (line: string) => void): (fraction: number) => void {
  const t0 = performance.now();
  let last = -1,
    lastT = -Infinity;
  return (fraction) => {
    const tenth = Math.floor(fraction * 10);
    const t = performance.now();
    if (tenth > last && (t - lastT >= 1000 || fraction >= 1)) {
      last = tenth;
      lastT = t;
      progress(`initialization ${Math.round(fraction * 100)} % (${((t - t0) / 1000).toFixed(1)} s)`);
    }
  };
}

/** Read, validate, fit and write; throws NmflabError on bad input. Used by the worker and tests. */
export async function runFactorize(o: FactorizeOptions, hooks: FactorizeHooks = {}): Promise<FactorizeSummary> {
  try {
    return await factorizeInner(o, hooks);
  } catch (e) {
    throw e instanceof NmflabError && !(e instanceof NmflabErrors) ? explain(e, o) : e;
  }
}

/** Where the solver's own paths come from on this command line: option names, or the data file. */
const FLAG_PATHS: [string, string][] = [
  ['factorize.params.divergence.params.beta', '--beta'],
  ['factorize.params.divergence.params.phi', '--phi'],
  ['factorize.params.divergence', '--divergence'],
  ['factorize.params.initializer.params.W0', '--w0'],
  ['factorize.params.initializer.params.H0', '--h0'],
  ['factorize.params.initializer', '--init'],
  ['factorize.params.offset', '--offset'],
  ['factorize.params.modelFloor', '--model-floor'],
];

/** Option names of the estimator (errors of `new NMF(...)`) as this command's flags. */
const OPTION_FLAGS: Record<string, string> = {
  rank: '--rank',
  maxIterations: '--iterations',
  tol: '--tol',
  restarts: '--restarts',
  seed: '--seed',
  mode: '--mode',
};

function explain(e: NmflabError, o: FactorizeOptions): NmflabError {
  // The estimator names its solver's params `solver.params.…`; the command line knows them as flags.
  const path = (e.path ?? '').replace(/^solver\.params\./, 'factorize.params.');
  if (OPTION_FLAGS[path])
    return new NmflabError(e.reason, {
      file: e.file,
      path: OPTION_FLAGS[path],
      expected: e.expected,
      found: e.found,
      hint: e.hint,
      exitCode: e.exitCode,
    });
  const m = /^V(\[.*)?$|^V(?=:)/.exec(path);
  if (m && !e.file) {
    // The solver checks "V[1][1]" or "V": that is the --input file.
    return new NmflabError(e.reason, {
      file: o.input,
      path: m[1] ? `--input: entry ${m[1]}` : '--input',
      expected: e.expected,
      found: e.found,
      hint: e.hint,
      exitCode: 2,
    });
  }
  for (const [from, flag] of FLAG_PATHS) {
    if (path === from || path.startsWith(`${from}.`) || path.startsWith(`${from}[`)) {
      return new NmflabError(e.reason, {
        file: e.file,
        path: flag + path.slice(from.length).replace(/^\.params/, ''),
        expected: e.expected,
        found: e.found,
        hint: e.hint,
        exitCode: e.exitCode,
      });
    }
  }
  return e;
}

async function factorizeInner(o: FactorizeOptions, hooks: FactorizeHooks): Promise<FactorizeSummary> {
  if (!Number.isInteger(o.rank) || o.rank < 1)
    throw new NmflabError('invalid rank', { path: '--rank', expected: 'an integer ≥ 1', found: String(o.rank) });
  if (!Number.isInteger(o.iterations) || o.iterations < 0)
    throw new NmflabError('invalid iteration count', {
      path: '--iterations',
      expected: 'an integer ≥ 0',
      found: String(o.iterations),
    });
  if (!Number.isInteger(o.restarts) || o.restarts < 1)
    throw new NmflabError('invalid number of restarts', {
      path: '--restarts',
      expected: 'an integer ≥ 1',
      found: String(o.restarts),
    });
  if (!Number.isInteger(o.seed) || o.seed < 0)
    throw new NmflabError('invalid seed', { path: '--seed', expected: 'an integer ≥ 0', found: String(o.seed) });
  if (o.mode !== 'mm' && o.mode !== 'heuristic')
    throw new NmflabError('not an allowed value', {
      path: '--mode',
      expected: 'one of mm, heuristic',
      found: JSON.stringify(o.mode),
    });
  if (o.modelFloor !== undefined && o.modelFloor !== 'eps' && o.modelFloor !== 'eps2') {
    throw new NmflabError('not an allowed value', {
      path: '--model-floor',
      expected: 'one of eps2, eps',
      found: JSON.stringify(o.modelFloor),
    });
  }
  for (const [name, v] of [
    ['--beta', o.beta],
    ['--offset', o.offset],
  ] as const) {
    if (v !== undefined && !Number.isFinite(v))
      throw new NmflabError('not a number', { path: name, expected: 'a finite number', found: String(v) });
  }
  if (!(o.tol >= 0))
    throw new NmflabError('invalid tolerance', { path: '--tol', expected: 'a number ≥ 0', found: String(o.tol) });
  const registry = await buildRegistry(o.plugin);
  const V = readMatrix(o.input);
  const mask: Matrix | undefined = o.mask ? readMatrix(o.mask) : undefined;
  if (mask && !mask.sameShape(V))
    throw new NmflabError('mask shape differs from the data', {
      file: o.mask,
      expected: `${V.rows}×${V.cols}`,
      found: `${mask.rows}×${mask.cols}`,
    });

  const divParams: Record<string, unknown> = {};
  if (o.beta !== undefined) divParams.beta = o.beta;
  if (o.phi !== undefined) divParams.phi = o.phi;
  let initializer: unknown = o.init;
  if (o.init === 'custom') {
    if (!o.w0 || !o.h0)
      throw new NmflabError('--init custom needs both --w0 and --h0', {
        path: '--init',
        expected: '--w0 W0.csv --h0 H0.csv',
      });
    initializer = { id: 'custom', params: { W0: o.w0, H0: o.h0 } };
  } else if (o.w0 || o.h0) {
    throw new NmflabError('--w0/--h0 are only used with --init custom', {
      path: o.w0 ? '--w0' : '--h0',
      expected: '--init custom',
    });
  }
  // Validate the nested plugins first so errors name the command-line option.
  const dv = registry.validate('divergence', { id: o.divergence, params: divParams }, { path: '--divergence' });
  const iv = registry.validate('initializer', initializer, { path: '--init' });
  const errs = [...dv.errors, ...iv.errors];
  if (errs.length) throw errs.length === 1 ? errs[0] : new NmflabErrors(errs);
  // One way to fit a model: the library's NMF. The command keeps its own stream (Rng(seed), not a
  // YAML run's fork), so a seed gives the factors it always gave.
  const model = new NMF({
    rank: o.rank,
    divergence: dv.ref,
    init: iv.ref,
    mode: o.mode,
    ...(o.offset !== undefined ? { offset: o.offset } : {}),
    ...(o.modelFloor !== undefined ? { modelFloor: o.modelFloor } : {}),
    maxIterations: o.iterations,
    tol: o.tol,
    restarts: o.restarts,
    seed: o.seed,
    mask,
    registry,
  });

  if (o.restarts > 1 && DETERMINISTIC_INITS.includes(iv.ref!.id)) {
    hooks.warn?.(
      `--restarts ${o.restarts} with --init ${iv.ref!.id}: that initializer draws nothing at random, so every restart repeats the same fit (use --init random or nndsvdar to vary them)`,
    );
  }
  // The output folder before the fit, so a bad --out costs no work; removed again if the fit fails.
  let created: string[];
  try {
    created = ensureDir(o.out);
  } catch (e) {
    throw e instanceof NmflabError ? e.withContext({ pathPrefix: '--out' }) : e;
  }
  try {
    return fitAndWrite(o, hooks, V, model);
  } catch (e) {
    removeEmptyDirs(created);
    throw e;
  }
}

/** The fit, with its errors naming the command-line flag they come from. */
function fitOrExplain(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (e instanceof NmflabError && e.path === 'rank')
      throw new NmflabError(e.reason, { path: '--rank', expected: e.expected, found: e.found });
    throw e;
  }
}

function fitAndWrite(o: FactorizeOptions, hooks: FactorizeHooks, V: Matrix, model: NMF): FactorizeSummary {
  const block = Math.max(1, Math.min(100, Math.ceil(o.iterations / 20)));
  fitOrExplain(() =>
    model.fit(V, {
      rng: new Rng(o.seed),
      signal: hooks.signal,
      onInitProgress: hooks.progress ? initProgress(hooks.progress) : undefined,
      onIteration: hooks.progress
        ? (row, r) => {
            if (row.iteration % block === 0 || row.iteration === o.iterations) {
              hooks.progress!(
                `${o.restarts > 1 ? `restart ${r + 1}/${o.restarts} ` : ''}iteration ${row.iteration}/${o.iterations} objective ${row.objective.toPrecision(10)} (${row.seconds.toFixed(1)} s)`,
              );
            }
          }
        : undefined,
    }),
  );
  const res = model.fitResult!;
  const summary: FactorizeSummary = {
    stopReason: res.stopReason,
    iterations: res.iterations,
    objective: res.trajectory.at(-1)!.objective,
    restart: res.restart,
    restartObjectives: res.restartObjectives,
    increases: res.increases,
    seconds: res.seconds,
    solver: model.solver,
  };
  writeFilesAtomic(o.out, [
    ['W.csv', matrixToCsv(res.result.W)],
    ['H.csv', matrixToCsv(res.result.H)],
    ['trajectory.csv', trajectoryCsv(res.trajectory)],
    ['summary.json', `${JSON.stringify(summary, null, 2)}\n`],
  ]);
  return summary;
}

type WorkerMessage =
  | { type: 'progress'; line: string }
  | { type: 'done'; summary: FactorizeSummary }
  | { type: 'error'; message: string; exitCode: number; stack?: string };

/** Run in a worker so that Ctrl-C can stop the synchronous fit cleanly (see the file comment). */
function runInWorker(o: FactorizeOptions, debug: boolean, progress: boolean): Promise<number> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL('./factorize-worker.js', import.meta.url), {
    workerData: { options: o, flag, progress },
  });
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130); // a second Ctrl-C stops at once
    interrupted = true;
    Atomics.store(flag, 0, 1);
    process.stderr.write(
      '\nnmflab: interrupt: stopping after this iteration and writing partial results (Ctrl-C again to quit now)\n',
    );
  };
  process.on('SIGINT', onSigint);
  return new Promise<number>((resolve) => {
    let settled = false;
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      process.off('SIGINT', onSigint);
      resolve(code);
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') process.stderr.write(`${m.line}\n`);
      else if (m.type === 'done') {
        const s = m.summary;
        process.stderr.write(
          `nmflab: ${s.stopReason} after ${s.iterations} iterations, objective ${s.objective}; wrote ${join(o.out, 'W.csv')}, H.csv, trajectory.csv, summary.json\n`,
        );
        finish(s.stopReason === 'interrupted' ? 130 : s.stopReason === 'non-finite' ? 1 : 0);
      } else {
        process.stderr.write(`nmflab: ${m.message}\n`);
        if (debug && m.stack) process.stderr.write(`${m.stack}\n`);
        finish(m.exitCode);
      }
    });
    worker.on('error', (e) => {
      process.stderr.write(`nmflab: internal error: ${e.message}${debug ? '' : ' (run with --debug for details)'}\n`);
      if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
      finish(1);
    });
    worker.on('exit', (code) => finish(code === 0 ? 1 : code));
  });
}

export function factorizeCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'factorize',
    'Factorize a matrix file V ≈ WH with multiplicative updates (solver mu)',
    (a) =>
      a
        .option('input', { type: 'string', demandOption: true, describe: 'V as .csv (no header) or .npy' })
        .option('rank', { type: 'number', demandOption: true, describe: 'number of components K' })
        .option('divergence', {
          type: 'string',
          default: 'beta',
          describe: 'divergence plugin id (beta, kl, is, euclidean, bregman, …)',
        })
        .option('beta', { type: 'number', describe: 'β of the β-divergence (2 Euclidean, 1 KL, 0 IS)' })
        .option('phi', { type: 'string', describe: 'Bregman generator φ(y) (with --divergence bregman)' })
        .option('iterations', { type: 'number', default: 200, describe: 'maximum number of iterations' })
        .option('mode', {
          type: 'string',
          choices: ['mm', 'heuristic'],
          default: 'mm',
          describe: 'mm: monotone MM exponent; heuristic: plain ratio',
        })
        .option('model-floor', {
          type: 'string',
          choices: ['eps2', 'eps'],
          default: 'eps2',
          describe:
            'floor on WH where a negative power is taken: eps2 = ε² (MM-correct, monotone); eps = ε (scikit-learn; can rise on data below ε)',
        })
        .option('init', {
          type: 'string',
          default: 'nndsvda',
          describe: 'initializer id (random, nndsvd, nndsvda, nndsvdar, random-vcol, custom)',
        })
        .option('w0', { type: 'string', describe: 'W0 file for --init custom' })
        .option('h0', { type: 'string', describe: 'H0 file for --init custom' })
        .option('mask', { type: 'string', describe: 'non-negative weights M (same shape as V): objective Σ M⊙d(V|WH)' })
        .option('offset', { type: 'number', describe: 'add this to V first (β ≤ 0 with zeros in V)' })
        .option('seed', { type: 'number', default: 0, describe: 'seed of all random draws' })
        .option('tol', {
          type: 'number',
          default: 0,
          describe: 'stop when the relative objective decrease over 10 iterations is below this (0: never)',
        })
        .option('restarts', {
          type: 'number',
          default: 1,
          describe: 'restarts from different seeds; the lowest final objective wins',
        })
        .option('progress', {
          type: 'boolean',
          describe: 'print a progress line per block of iterations on stderr (default: when stderr is a terminal)',
        })
        .option('out', {
          type: 'string',
          demandOption: true,
          describe: 'output folder: W.csv, H.csv, trajectory.csv, summary.json',
        }),
    async (argv) => {
      const o: FactorizeOptions = {
        input: argv.input,
        rank: argv.rank,
        divergence: argv.divergence,
        beta: argv.beta,
        phi: argv.phi,
        iterations: argv.iterations,
        mode: argv.mode as 'mm' | 'heuristic',
        modelFloor: argv.modelFloor as 'eps' | 'eps2',
        init: argv.init,
        w0: argv.w0,
        h0: argv.h0,
        mask: argv.mask,
        offset: argv.offset,
        seed: argv.seed,
        tol: argv.tol,
        restarts: argv.restarts,
        out: argv.out,
        plugin: argv.plugin ?? [],
      };
      process.exitCode = await runInWorker(o, argv.debug === true, argv.progress ?? process.stderr.isTTY === true);
    },
  );
}
