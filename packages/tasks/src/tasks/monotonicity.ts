import { NmflabError } from '@nmflab/core';
import type { Matrix } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import type { TrajectoryRow } from '@nmflab/core';

/**
 * Objective-trajectory audit (Lee & Seung 2001; Nakano et al. 2010; Févotte & Idier 2011): fit V
 * like `factorize` and count the iterations i where f_i > f_{i−1}(1 + `tolerance`), whatever the
 * solver declares — the fit loop flags increases only for solvers that claim to be monotone, and
 * the heuristic β-updates (γ = 1 outside β ∈ [1, 2]) make no such claim.
 * Also reports the largest relative increase and the iteration and time at which the objective
 * first came within `targetGap` (relative) of its final value.
 */
export function auditTrajectory(
  rows: readonly TrajectoryRow[],
  tolerance: number,
  targetGap: number,
): { increases: number; maxRelativeIncrease: number; iterationsToTarget: number; secondsToTarget: number } {
  let increases = 0;
  let maxRel = 0;
  for (let i = 1; i < rows.length; i++) {
    const prev = rows[i - 1].objective;
    const rel = (rows[i].objective - prev) / Math.max(Math.abs(prev), 1e-300);
    if (rel > tolerance) increases++;
    if (rel > maxRel) maxRel = rel;
  }
  const last = rows.length ? rows[rows.length - 1].objective : NaN;
  let hit = rows.length - 1;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].objective - last <= targetGap * Math.abs(last)) {
      hit = i;
      break;
    }
  }
  return {
    increases,
    maxRelativeIncrease: maxRel,
    iterationsToTarget: rows[hit]?.iteration ?? 0,
    secondsToTarget: rows[hit]?.seconds ?? 0,
  };
}

export default definePlugin<'task', { tolerance: number; targetGap: number }>({
  meta: {
    kind: 'task',
    id: 'monotonicity',
    description:
      'Fit V and audit the objective trajectory: increases, largest relative increase, iterations and time to near the final value',
    params: {
      tolerance: {
        type: 'number',
        minimum: 0,
        default: 1e-12,
        description: 'relative rise above which an iteration counts as an increase (rounding below it)',
      },
      targetGap: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 1e-3,
        description: 'relative distance to the final objective that counts as reached',
      },
    },
  },
  create: (p) => ({
    id: 'monotonicity',
    run(ctx) {
      let V: Matrix | undefined = ctx.data.matrix;
      if (!V && ctx.data.signal && ctx.transform)
        V = ctx.transform.represent(ctx.transform.analyze(ctx.data.signal.samples));
      if (!V)
        throw new NmflabError('the source gave no data to factorize', {
          path: 'data',
          expected: 'a matrix or an audio signal',
        });
      const fit = ctx.fit({ problem: { V, rank: ctx.rank }, label: 'main' });
      const a = auditTrajectory(fit.trajectory, p.tolerance, p.targetGap);
      return {
        fit,
        metrics: {
          increases: a.increases,
          'max-relative-increase': a.maxRelativeIncrease,
          'iterations-to-target': a.iterationsToTarget,
          'seconds-to-target': a.secondsToTarget,
          'flagged-increases': fit.increases.length,
        },
      };
    },
  }),
});
