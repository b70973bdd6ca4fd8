import { NmflabError } from '../errors.js';
import { ComplexMatrix } from '../linalg/matrix.js';
import type { SolverResult, Transform } from '../plugin/plugin.js';

/**
 * Separation from complex components (complex NMF, Kameoka et al. 2009, reference §2c): a
 * phase-aware solver returns components X̄_k (complex, F×N) with Σ_k X̄_k = Y, the mixture STFT.
 * Source j's estimate is ŝ_j = ISTFT(Σ_{k ∈ G_j} X̄_k): each component keeps its own phase, no mask
 * and no mixture phase. The ISTFT is linear, so when the groups G_j cover every component once the
 * estimates sum to ISTFT(Y), i.e. to the mixture up to the STFT round trip.
 */

/** The complex components a solver's result offers (`extra.components`), or undefined. */
export function complexComponentsOf(result: SolverResult): ComplexMatrix[] | undefined {
  const c = result.extra?.components;
  if (!Array.isArray(c) || c.length === 0 || !c.every((x) => x instanceof ComplexMatrix)) return undefined;
  return c as ComplexMatrix[];
}

/**
 * ŝ_j = ISTFT(Σ_{k ∈ groups[j]} X̄_k) of `length` samples, one per group. The sum is taken on the
 * STFT (one inverse transform per group, not per component). `path` names the grouping in errors.
 */
export function synthesizeComponents(
  components: readonly ComplexMatrix[],
  groups: readonly (readonly number[])[],
  transform: Pick<Transform, 'synthesize'>,
  length: number,
  path = 'grouping',
): Float64Array[] {
  if (components.length === 0)
    throw new NmflabError('no complex components to synthesize', { path, expected: 'at least one F×N component' });
  const { rows, cols } = components[0];
  components.forEach((c, k) => {
    if (c.rows !== rows || c.cols !== cols) {
      throw new NmflabError('complex components differ in shape', {
        path: `component ${k}`,
        expected: `${rows}×${cols}`,
        found: `${c.rows}×${c.cols}`,
      });
    }
  });
  return groups.map((g, j) => {
    const S = new ComplexMatrix(rows, cols);
    for (const k of g) {
      const c = components[k];
      if (!Number.isInteger(k) || !c) {
        throw new NmflabError('component index out of range', {
          path: `${path}[${j}]`,
          expected: `indices in 0..${components.length - 1}`,
          found: String(k),
        });
      }
      for (let i = 0; i < S.re.length; i++) {
        S.re[i] += c.re[i];
        S.im[i] += c.im[i];
      }
    }
    return transform.synthesize(S, length);
  });
}

/** Component indices per source from one source label per component (labels in 0..sources−1). */
export function groupsFromLabels(labels: readonly number[], sources: number): number[][] {
  return Array.from({ length: sources }, (_, j) => labels.flatMap((l, k) => (l === j ? [k] : [])));
}
