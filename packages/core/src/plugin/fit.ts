import { NmflabError } from '../errors.js';
import { MAX_ENTRIES } from '../linalg/matrix.js';
import type { Objective, Problem, Solver, SolverResult } from './plugin.js';
import type { Rng } from '../rng.js';
import { systemClock, type Clock } from './services.js';

/**
 * The iteration loop every solver shares: the runner and `nmflab factorize` call `fit`, so that
 * stopping rules, the trajectory, timing, monotonicity checks, restarts and clean interruption
 * are the same for every solver.
 */
export interface StoppingOptions {
  /** Hard cap on iterations. */
  maxIterations: number;
  /**
   * Relative objective decrease over a window: stop when (f[k−window] − f[k]) / |f[0]| < tol,
   * checked every `window` iterations (scikit-learn checks every 10 on sqrt(2f)). 0 disables.
   */
  tol?: number;
  window?: number;
  /** Stop when the relative change of the factors ‖ΔW‖/‖W‖ + ‖ΔH‖/‖H‖ < factorTol. 0 disables. */
  factorTol?: number;
}

export interface TrajectoryRow {
  iteration: number;
  objective: number;
  terms: Record<string, number>;
  /** Wall time since the start of the fit, in seconds. */
  seconds: number;
}

export type StopReason = 'max-iterations' | 'objective-tolerance' | 'factor-tolerance' | 'interrupted' | 'non-finite';

export interface FitResult {
  result: SolverResult;
  trajectory: TrajectoryRow[];
  iterations: number;
  stopReason: StopReason;
  /** Iterations where a monotone solver's objective rose beyond rounding (must stay empty). */
  increases: { iteration: number; from: number; to: number }[];
  seconds: number;
  /** Which restart won (0-based) and the final objective of each restart. */
  restart: number;
  restartObjectives: number[];
}

export interface FitOptions {
  stopping: StoppingOptions;
  /** Number of restarts from different seeds (rng.fork(`restart-r`)); the lowest final objective wins. */
  restarts?: number;
  /** Called after every iteration (iteration 0 is the initial point). */
  onIteration?: (row: TrajectoryRow, restart: number) => void;
  /** Checked between iterations; when aborted the fit stops with reason 'interrupted'. */
  signal?: { readonly aborted: boolean };
  /** Progress of the solver's initialization (fraction 0…1), for initializers that take long. */
  onInitProgress?: (fraction: number) => void;
  /** Relative tolerance below which an increase counts as rounding (default 1e-12). */
  increaseTolerance?: number;
  /** Where the trajectory's seconds come from (the registry's clock service; default: performance.now). */
  clock?: Clock;
}

function relChange(prev: Float64Array, cur: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < cur.length; i++) {
    const d = cur[i] - prev[i];
    num += d * d;
    den += cur[i] * cur[i];
  }
  return den > 0 ? Math.sqrt(num / den) : 0;
}

function fitOnce<S>(solver: Solver<S>, problem: Problem, rng: Rng, opts: FitOptions, restart: number): FitResult {
  const { maxIterations, tol = 0, window = 10, factorTol = 0 } = opts.stopping;
  if (!Number.isInteger(maxIterations) || maxIterations < 0) {
    throw new NmflabError('invalid iteration count', {
      path: 'stopping.maxIterations',
      expected: 'an integer ≥ 0',
      found: String(maxIterations),
    });
  }
  const incTol = opts.increaseTolerance ?? 1e-12;
  const clock = opts.clock ?? systemClock;
  const t0 = clock.now();
  const state = solver.init(problem, rng, { signal: opts.signal, progress: opts.onInitProgress });
  const trajectory: TrajectoryRow[] = [];
  const increases: FitResult['increases'] = [];
  const record = (iteration: number, obj: Objective): TrajectoryRow => {
    const row = { iteration, objective: obj.total, terms: obj.terms, seconds: (clock.now() - t0) / 1000 };
    trajectory.push(row);
    opts.onIteration?.(row, restart);
    return row;
  };
  let prev = record(0, solver.objective(state));
  if (!Number.isFinite(prev.objective)) {
    throw new NmflabError('the initial objective is not finite', {
      expected: 'a finite objective',
      found: String(prev.objective),
      hint: 'check the data for zeros with β ≤ 0, or the initialization',
    });
  }
  let stopReason: StopReason = 'max-iterations';
  let lastW: Float64Array | undefined;
  let lastH: Float64Array | undefined;
  let it = 0;
  while (it < maxIterations) {
    if (opts.signal?.aborted) {
      stopReason = 'interrupted';
      break;
    }
    if (factorTol > 0) {
      const r = solver.result(state);
      lastW = r.W.data.slice();
      lastH = r.H.data.slice();
    }
    solver.step(state);
    it++;
    const row = record(it, solver.objective(state));
    if (!Number.isFinite(row.objective)) {
      stopReason = 'non-finite';
      break;
    }
    if (solver.monotone && row.objective - prev.objective > incTol * Math.max(Math.abs(prev.objective), 1e-300)) {
      increases.push({ iteration: it, from: prev.objective, to: row.objective });
    }
    prev = row;
    if (tol > 0 && it % window === 0) {
      const f0 = trajectory[0].objective;
      const before = trajectory[it - window].objective;
      if ((before - row.objective) / Math.max(Math.abs(f0), 1e-300) < tol) {
        stopReason = 'objective-tolerance';
        break;
      }
    }
    if (factorTol > 0 && lastW && lastH) {
      const r = solver.result(state);
      if (relChange(lastW, r.W.data) + relChange(lastH, r.H.data) < factorTol) {
        stopReason = 'factor-tolerance';
        break;
      }
    }
  }
  return {
    result: solver.result(state),
    trajectory,
    iterations: it,
    stopReason,
    increases,
    seconds: (clock.now() - t0) / 1000,
    restart,
    restartObjectives: [prev.objective],
  };
}

/**
 * W (F×K) and H (K×N) must fit in memory: a rank of 1e12 is refused with the size it would need,
 * before anything is allocated.
 */
function checkFactorSize(problem: Problem): void {
  const V = (problem as { V?: { rows: number; cols: number } }).V;
  const K = (problem as { rank?: number }).rank;
  if (!V || typeof K !== 'number') return;
  const entries = (V.rows + V.cols) * K;
  if (!Number.isSafeInteger(K) || K < 1 || entries > MAX_ENTRIES) {
    throw new NmflabError('rank too large for memory', {
      path: 'rank',
      expected: `W and H of at most ${MAX_ENTRIES} entries together (${(MAX_ENTRIES * 8) / 2 ** 30} GiB)`,
      found: `rank ${K} on ${V.rows}×${V.cols} data: ${((entries * 8) / 2 ** 30).toPrecision(3)} GiB`,
    });
  }
}

/** Run a solver to a stopping rule, with restarts; the best (lowest final objective) run is returned. */
export function fit<S>(solver: Solver<S>, problem: Problem, rng: Rng, opts: FitOptions): FitResult {
  const restarts = opts.restarts ?? 1;
  if (!Number.isInteger(restarts) || restarts < 1) {
    throw new NmflabError('invalid number of restarts', {
      path: 'restarts',
      expected: 'an integer ≥ 1',
      found: String(restarts),
    });
  }
  checkFactorSize(problem);
  if (restarts === 1) return fitOnce(solver, problem, rng, opts, 0);
  let best: FitResult | undefined;
  const finals: number[] = [];
  let interrupted = false;
  for (let r = 0; r < restarts; r++) {
    const res = fitOnce(solver, problem, rng.fork(`restart-${r}`), opts, r);
    finals.push(res.restartObjectives[0]);
    if (!best || res.restartObjectives[0] < best.restartObjectives[0]) best = res;
    if (res.stopReason === 'interrupted' || opts.signal?.aborted) {
      interrupted = true;
      break;
    }
  }
  // An interrupted fit says so even when an earlier, finished restart has the lowest objective.
  return { ...best!, stopReason: interrupted ? 'interrupted' : best!.stopReason, restartObjectives: finals };
}
