import { NmflabError, paramFileError } from '@nmflab/core';
import { readMatrix } from '@nmflab/core';
import { Matrix } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';

/** A data matrix V read from a `.npy` or `.csv` file (path relative to the working directory). */
export default definePlugin<'source', { path: string; transpose: boolean }>({
  meta: {
    kind: 'source',
    id: 'matrix-file',
    description: 'A data matrix V from a .npy or .csv file',
    params: {
      path: {
        type: 'string',
        minLength: 1,
        required: true,
        description: 'the .npy or .csv file, relative to the working directory',
      },
      transpose: { type: 'boolean', default: false, description: 'use the transpose (when the file stores N×F)' },
    },
  },
  // Read at validation too: a missing or malformed file is reported before the results folder exists.
  check: (p) => {
    const m = readData(p.path, 'path');
    let zeros = 0;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] === 0) zeros++;
    return { file: p.path, param: 'path', zeros };
  },
  create: (p, ctx) => ({
    id: 'matrix-file',
    load() {
      const m = readData(p.path, `${ctx.path}.path`);
      if (!p.transpose) return { matrix: m };
      const t = new Matrix(m.cols, m.rows);
      for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) t.data[j * m.rows + i] = m.data[i * m.cols + j];
      return { matrix: t };
    },
  }),
});

/** The matrix of `file`, finite and non-empty; errors name the file and `param`. */
function readData(file: string, param: string): Matrix {
  let m: Matrix;
  try {
    m = readMatrix(file);
  } catch (e) {
    throw paramFileError(e, param);
  }
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) {
      throw new NmflabError('non-finite entry in the data matrix', {
        path: `${param}: ${file}: row ${Math.floor(i / m.cols) + 1}, column ${(i % m.cols) + 1}`,
        expected: 'finite numbers',
        found: String(m.data[i]),
      });
    }
  }
  if (m.rows === 0 || m.cols === 0)
    throw new NmflabError('empty data matrix', { path: `${param}: ${file}`, expected: 'at least one row and column' });
  return m;
}
