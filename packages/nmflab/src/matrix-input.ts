import { ComplexMatrix, Matrix, NmflabError, describeValue } from '@nmflab/core';

/**
 * What the estimators accept as a matrix: a {@link Matrix}, nested arrays (rows of equal length),
 * or a flat typed array (or number array) in row-major order with its shape `[rows, cols]`.
 */
export type MatrixInput =
  | Matrix
  | readonly (readonly number[])[]
  | { readonly data: ArrayLike<number>; readonly shape: readonly [number, number] };

/** A matrix input, or a complex matrix (complex STFT) for phase-aware solvers. */
export type DataInput = MatrixInput | ComplexMatrix;

function isMatrixLike(x: unknown): x is Matrix {
  // Duck-typed so that a Matrix from another copy of @nmflab/core is accepted as well.
  return (
    x instanceof Matrix ||
    (typeof x === 'object' && x !== null && 'rows' in x && 'cols' in x && (x as Matrix).data instanceof Float64Array)
  );
}

export function isComplexMatrix(x: unknown): x is ComplexMatrix {
  return (
    x instanceof ComplexMatrix ||
    (typeof x === 'object' &&
      x !== null &&
      (x as ComplexMatrix).re instanceof Float64Array &&
      (x as ComplexMatrix).im instanceof Float64Array)
  );
}

/**
 * Turn a matrix input into a {@link Matrix} (a Matrix is used as it is, not copied). Errors are
 * NmflabErrors naming `path` (the argument or option, e.g. `V`, `mask`).
 */
export function toMatrix(x: unknown, path: string): Matrix {
  if (isMatrixLike(x)) {
    const m = x as Matrix;
    return x instanceof Matrix ? x : new Matrix(m.rows, m.cols, m.data);
  }
  if (Array.isArray(x)) {
    if (x.length === 0) throw new NmflabError('empty matrix', { path, expected: 'at least one row' });
    for (const [i, row] of x.entries()) {
      if (!Array.isArray(row))
        throw new NmflabError('not a matrix', {
          path: `${path}[${i}]`,
          expected: 'a row (an array of numbers)',
          found: describeValue(row),
        });
      if (row.length !== (x[0] as unknown[]).length)
        throw new NmflabError('ragged matrix', {
          path: `${path}[${i}]`,
          expected: `${(x[0] as unknown[]).length} values`,
          found: String(row.length),
        });
      for (const [j, v] of row.entries()) {
        if (typeof v !== 'number')
          throw new NmflabError('not a number', {
            path: `${path}[${i}][${j}]`,
            expected: 'a number',
            found: describeValue(v),
          });
      }
    }
    return Matrix.fromRows(x as number[][]);
  }
  if (typeof x === 'object' && x !== null && 'data' in x && 'shape' in x) {
    const { data, shape } = x as { data: ArrayLike<number>; shape: unknown };
    if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new NmflabError('invalid shape', {
        path: `${path}.shape`,
        expected: '[rows, cols] (two integers ≥ 0)',
        found: describeValue(shape),
      });
    }
    const [r, c] = shape as [number, number];
    if (!data || typeof data.length !== 'number')
      throw new NmflabError('invalid data', {
        path: `${path}.data`,
        expected: 'a typed array or an array of numbers',
        found: describeValue(data),
      });
    if (data.length !== r * c)
      throw new NmflabError('data length does not match the shape', {
        path: `${path}.data`,
        expected: `${r * c} values (${r}×${c})`,
        found: String(data.length),
      });
    return new Matrix(r, c, Float64Array.from(data));
  }
  throw new NmflabError('not a matrix', {
    path,
    expected: 'a Matrix, rows of numbers, or { data, shape }',
    found: describeValue(x),
  });
}
