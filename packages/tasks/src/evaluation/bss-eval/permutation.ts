import { NmflabError } from '@nmflab/core';
import { BSS_MAX_PERMUTED_SOURCES } from './common.js';
import type { BssInputWhere } from './validate.js';

/** All permutations of 0..n−1 in lexicographic order (itertools.permutations order). */
function permutations(n: number): number[][] {
  const out: number[][] = [];
  const used = new Array<boolean>(n).fill(false);
  const cur: number[] = [];
  const rec = (): void => {
    if (cur.length === n) {
      out.push(cur.slice());
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      used[i] = true;
      cur.push(i);
      rec();
      cur.pop();
      used[i] = false;
    }
  };
  rec();
  return out;
}

/**
 * The permutation p (p[j] = estimate for reference j) with the best mean of score[p[j]][j]; the
 * first in lexicographic order among ties (as numpy's argmax over itertools.permutations).
 * NaN scores are ignored in the mean (museval would propagate them).
 */
export function bestPermutation(score: number[][], n: number, where: BssInputWhere): number[] {
  if (n > BSS_MAX_PERMUTED_SOURCES) {
    throw new NmflabError(`${where.what ?? 'bss eval'}: too many sources for the permutation search`, {
      file: where.file,
      path: where.path,
      expected: `at most ${BSS_MAX_PERMUTED_SOURCES} sources (or permutation: false)`,
      found: `${n}`,
    });
  }
  let best: number[] = [];
  let bestMean = -Infinity;
  for (const p of permutations(n)) {
    let s = 0;
    let c = 0;
    for (let j = 0; j < n; j++) {
      const v = score[p[j]][j];
      if (!Number.isNaN(v)) {
        s += v;
        c++;
      }
    }
    const m = c ? s / c : -Infinity;
    if (best.length === 0 || m > bestMean) {
      bestMean = m;
      best = p;
    }
  }
  return best;
}
