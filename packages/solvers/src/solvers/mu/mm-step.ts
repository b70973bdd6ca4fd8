import { penalizedMMStep, type Regularizer } from '@nmflab/core';
import type { MuRule } from './state.js';

/** The entry-wise MM step of mu (formulas and floors: solver.ts's doc comment). */

const SCRATCH = new Float64Array(2);

/**
 * X ← X ⊙ update(num, den) entry-wise, with the penalties of this factor; skip frozen columns
 * (stride `cols`; `frozen[j % cols]`).
 */
export function mmStep(
  rule: MuRule,
  X: Float64Array,
  num: Float64Array,
  den: Float64Array,
  regs: Regularizer[],
  cols: number,
  frozen: Uint8Array | undefined,
): void {
  const eps = rule.eps;
  const gamma = rule.path.gamma;
  const mm = rule.mode === 'mm';
  const beta = rule.path.kind === 'beta' ? rule.path.beta : 1;
  const floor = rule.factorFloor;
  const nReg = regs.length;
  if (nReg === 0 && !frozen?.includes(1)) {
    plainStep(rule, X, num, den);
    return;
  }
  for (let i = 0; i < X.length; i++) {
    if (frozen && frozen[i % cols] === 1) continue;
    const xbar = X[i];
    let P = den[i];
    const Q = num[i];
    let c = 0;
    let q = 0;
    for (let r = 0; r < nReg; r++) {
      regs[r].majorize(xbar > eps ? xbar : eps, SCRATCH);
      q += SCRATCH[0];
      c += 2 * SCRATCH[0] * xbar;
      P += SCRATCH[1];
    }
    let x: number;
    if (!mm || c === 0) {
      const d = P + c;
      const ratio = Q / (d > 0 ? d : eps);
      x = xbar * (gamma === 1 ? ratio : gamma === 0.5 ? Math.sqrt(ratio) : Math.pow(ratio, gamma));
    } else {
      // l is already majorized into P (file comment), so the shared exact step gets l = 0.
      x = penalizedMMStep(beta, P > 0 ? P : eps, Q, xbar, q, 0);
    }
    if (floor === 'eps') {
      if (!(x > eps)) x = eps;
    } else if (floor === 'zero') {
      if (!(x >= 2.220446049250313e-16)) x = 0;
    } else if (!(x >= 0)) x = 0;
    X[i] = x;
  }
}

/**
 * `apply` without penalties or frozen entries: the same formulas (x̄·(Q/P)^γ, P = 0 read as ε, then the
 * floor), one tight loop per γ and floor rule — no per-entry branching on settings, no
 * `Math.pow` for γ = 1 or ½.
 */
export function plainStep(rule: MuRule, X: Float64Array, num: Float64Array, den: Float64Array): void {
  const eps = rule.eps;
  const gamma = rule.path.gamma;
  const n = X.length;
  const floor = rule.factorFloor;
  if (floor === 'eps' && (gamma === 1 || gamma === 0.5)) {
    rule.k.applyRatio(gamma === 1 ? 1 : 2, X, num, den, eps);
    return;
  }
  for (let i = 0; i < n; i++) {
    const d = den[i];
    const ratio = num[i] / (d > 0 ? d : eps);
    let x = X[i] * (gamma === 1 ? ratio : gamma === 0.5 ? Math.sqrt(ratio) : Math.pow(ratio, gamma));
    if (floor === 'eps') {
      if (!(x > eps)) x = eps;
    } else if (floor === 'zero') {
      if (!(x >= 2.220446049250313e-16)) x = 0;
    } else if (!(x >= 0)) x = 0;
    X[i] = x;
  }
}
