import { Matrix } from './matrix.js';

/** Row sums (length rows). */
export function rowSums(A: Matrix, out = new Float64Array(A.rows)): Float64Array {
  const { rows, cols, data } = A;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[i * cols + j];
    out[i] = s;
  }
  return out;
}

/** Column sums (length cols). */
export function colSums(A: Matrix, out = new Float64Array(A.cols)): Float64Array {
  const { rows, cols, data } = A;
  out.fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j] += data[i * cols + j];
  return out;
}

/** Frobenius norm. */
export function frobenius(A: Matrix | Float64Array): number {
  const d = A instanceof Matrix ? A.data : A;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return Math.sqrt(s);
}

/** Sum of |a|^p over all entries (p = 1 is the L1 norm). */
export function lpSum(A: Matrix | Float64Array, p: number): number {
  const d = A instanceof Matrix ? A.data : A;
  let s = 0;
  if (p === 1) for (let i = 0; i < d.length; i++) s += Math.abs(d[i]);
  else if (p === 2) for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  else for (let i = 0; i < d.length; i++) s += Math.abs(d[i]) ** p;
  return s;
}

/** Sum and mean of all entries. */
export function sum(A: Matrix | Float64Array): number {
  const d = A instanceof Matrix ? A.data : A;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  return s;
}

export function mean(A: Matrix | Float64Array): number {
  const d = A instanceof Matrix ? A.data : A;
  return d.length === 0 ? 0 : sum(d) / d.length;
}

/** Largest relative difference max|a−b| / max(|a|,|b|, tiny) — used by tests and parity checks. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i],
      y = b[i];
    const d = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-300);
    if (d > m) m = d;
  }
  return m;
}
