import { type InitHooks, type Initializer, type Matrix, NmflabError, type Problem, type Rng } from '@nmflab/core';

/** Helpers shared by the solvers of this package: input checks and factor set-up. */

/** Throw an NmflabError unless every entry is finite (and ≥ 0 when `nonNegative`). */
export function checkEntries(data: Float64Array, path: string, nonNegative: boolean, hint?: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v) || (nonNegative && v < 0)) {
      throw new NmflabError('invalid data entry', {
        path: `${path}[${i}]`,
        expected: nonNegative ? 'finite values ≥ 0' : 'finite values',
        found: String(v),
        hint,
        exitCode: 1,
      });
    }
  }
}

export function checkRank(problem: Problem): number {
  const K = problem.rank;
  if (!Number.isInteger(K) || K < 1) {
    throw new NmflabError('invalid rank', { path: 'model.rank', expected: 'an integer ≥ 1', found: String(K) });
  }
  return K;
}

export function checkShape(M: Matrix | undefined, rows: number, cols: number, path: string): void {
  if (M && (M.rows !== rows || M.cols !== cols)) {
    throw new NmflabError('matrix has the wrong shape', {
      path,
      expected: `${rows}×${cols}`,
      found: `${M.rows}×${M.cols}`,
      exitCode: 1,
    });
  }
}

/** A copy of the given initial factor (checked), or undefined. */
export function givenFactor(
  M: Matrix | undefined,
  rows: number,
  cols: number,
  path: string,
  nonNegative: boolean,
): Matrix | undefined {
  if (!M) return undefined;
  checkShape(M, rows, cols, path);
  checkEntries(M.data, path, nonNegative);
  return M.clone();
}

/**
 * The starting W (F×K) and H (K×N) of an NMF solver: copies of the problem's W0 and H0 where given
 * (shapes checked), the initializer's factors for the rest.
 */
export function initialFactors(
  problem: Problem,
  V: Matrix,
  K: number,
  initializer: Initializer | undefined,
  rng: Rng,
  hooks?: InitHooks,
): { W: Matrix; H: Matrix } {
  const F = V.rows,
    N = V.cols;
  let W: Matrix | undefined = problem.W0?.clone();
  let H: Matrix | undefined = problem.H0?.clone();
  if (W && (W.rows !== F || W.cols !== K))
    throw new NmflabError('W0 has the wrong shape', {
      path: 'W0',
      expected: `${F}×${K}`,
      found: `${W.rows}×${W.cols}`,
    });
  if (H && (H.rows !== K || H.cols !== N))
    throw new NmflabError('H0 has the wrong shape', {
      path: 'H0',
      expected: `${K}×${N}`,
      found: `${H.rows}×${H.cols}`,
    });
  if (!W || !H) {
    if (!initializer) throw new NmflabError('no initial factors', { expected: 'W0 and H0, or an initializer' });
    const init = initializer.init(V, K, rng, hooks);
    W ??= init.W;
    H ??= init.H;
  }
  return { W, H };
}

/** Throw an NmflabError naming the entry unless every entry of W0 and H0 is finite and ≥ 0. */
export function checkInitialFactors(W: Matrix, H: Matrix): void {
  for (const [name, X] of [
    ['W0', W],
    ['H0', H],
  ] as const) {
    for (let i = 0; i < X.data.length; i++) {
      if (!(X.data[i] >= 0) || !Number.isFinite(X.data[i])) {
        throw new NmflabError('initial factor must be finite and non-negative', {
          path: `${name}[${Math.floor(i / X.cols)}][${i % X.cols}]`,
          expected: 'a finite number ≥ 0',
          found: String(X.data[i]),
        });
      }
    }
  }
}

/** Spectral norm of a symmetric PSD K×K matrix (row-major) by power iteration, from above by a hair. */
export function spectralNormPsd(M: Float64Array, K: number, work: Float64Array = new Float64Array(2 * K)): number {
  const v = work.subarray(0, K);
  const u = work.subarray(K, 2 * K);
  // Deterministic start with all components present (no Rng needed: the value is a property of M).
  for (let i = 0; i < K; i++) v[i] = 1 + i / K;
  let est = 0;
  for (let it = 0; it < 500; it++) {
    let nrm = 0;
    for (let i = 0; i < K; i++) nrm += v[i] * v[i];
    nrm = Math.sqrt(nrm);
    if (nrm === 0) return 0;
    for (let i = 0; i < K; i++) v[i] /= nrm;
    let ray = 0;
    for (let i = 0; i < K; i++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += M[i * K + j] * v[j];
      u[i] = s;
      ray += v[i] * s;
    }
    v.set(u);
    if (it > 10 && Math.abs(ray - est) <= 1e-12 * ray) {
      est = ray;
      break;
    }
    est = ray;
  }
  // Power iteration approaches λ_max from below; a step 1/L needs L ≥ λ_max, so pad a little,
  // but never above the Frobenius norm (itself ≥ λ_max).
  let fro = 0;
  for (let i = 0; i < K * K; i++) fro += M[i] * M[i];
  return Math.min(est * (1 + 1e-6), Math.sqrt(fro));
}

/**
 * Which columns of W are frozen (1) per `problem.freezeW` (true: all; a list: those columns),
 * checked against the rank.
 */
export function frozenColumns(problem: Problem, K: number): Uint8Array {
  const out = new Uint8Array(K);
  const fw = problem.freezeW;
  if (fw === true) out.fill(1);
  else if (Array.isArray(fw)) {
    for (const [i, k] of fw.entries()) {
      if (!Number.isInteger(k) || k < 0 || k >= K) {
        throw new NmflabError('invalid frozen column', {
          path: `problem.freezeW[${i}]`,
          expected: `a column index in 0..${K - 1}`,
          found: String(k),
        });
      }
      out[k] = 1;
    }
  }
  return out;
}

/** These solvers have no weighted (masked) form: say so rather than ignore the mask. */
export function rejectMask(problem: Problem, solver: string): void {
  if (problem.mask) {
    throw new NmflabError(`solver ${solver} does not support a mask (weights)`, {
      path: 'problem.mask',
      expected: 'no mask',
      found: `a ${problem.mask.rows}×${problem.mask.cols} mask`,
      hint: 'use the mu solver for weighted NMF',
    });
  }
}
