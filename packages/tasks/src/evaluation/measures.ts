import type { Matrix } from '@nmflab/core';

/**
 * Measures shared by tasks and metrics: one definition each, with its convention for the
 * degenerate cases stated here.
 */

/**
 * Hoyer (2004) sparseness s(x) = (√n − ‖x‖₁/‖x‖₂)/(√n − 1) ∈ [0, 1] of the n entries
 * x[start], x[start + stride], … (strided, so a column or a row of a matrix needs no copy).
 * s = 1 for one non-zero entry, 0 for all entries equal in magnitude.
 * Convention: a vector with no non-zero entry, or with n = 1, has at most one non-zero entry and
 * counts as 1 (the formula is 0/0 there).
 */
export function hoyerSparseness(x: ArrayLike<number>, start = 0, stride = 1, n = x.length): number {
  let l1 = 0,
    l2 = 0;
  for (let i = 0, j = start; i < n; i++, j += stride) {
    const v = Math.abs(x[j]);
    l1 += v;
    l2 += v * v;
  }
  if (l2 === 0 || n < 2) return 1;
  const r = Math.sqrt(n);
  // Clamp: rounding can push ‖x‖₁/‖x‖₂ a hair outside [1, √n].
  return Math.min(1, Math.max(0, (r - l1 / Math.sqrt(l2)) / (r - 1)));
}

/** Mean Hoyer sparseness of the rows of M (`rows`) or of its columns (`cols`). */
export function meanHoyerSparseness(M: Matrix, along: 'rows' | 'cols'): number {
  let s = 0;
  if (along === 'rows') {
    for (let k = 0; k < M.rows; k++) s += hoyerSparseness(M.data, k * M.cols, 1, M.cols);
    return s / M.rows;
  }
  for (let k = 0; k < M.cols; k++) s += hoyerSparseness(M.data, k, M.cols, M.rows);
  return s / M.cols;
}

/** Pearson correlation of a and b. Convention: 0 when either vector is constant (zero variance). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma,
      y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}
