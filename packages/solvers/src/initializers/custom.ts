import { Matrix, NmflabError, definePlugin, readMatrix } from '@nmflab/core';

/**
 * User-given W0 and H0: each a matrix (rows of numbers) or the path of a .csv/.npy file. Shapes are
 * checked against V and K. Deterministic: the Rng is not used.
 */
type Source = string | number[][];

function load(src: Source, name: string, path: string, rows: number, cols: number): Matrix {
  let m: Matrix;
  if (typeof src === 'string') {
    m = readMatrix(src);
  } else {
    try {
      m = Matrix.fromRows(src);
    } catch (e) {
      throw new NmflabError(`${name} is not a matrix`, {
        path: `${path}.${name}`,
        expected: 'rows of equal length',
        found: (e as Error).message,
      });
    }
  }
  if (m.rows !== rows || m.cols !== cols) {
    throw new NmflabError(`${name} has the wrong shape`, {
      file: typeof src === 'string' ? src : undefined,
      path: `${path}.${name}`,
      expected: `${rows}×${cols}`,
      found: `${m.rows}×${m.cols}`,
    });
  }
  for (let i = 0; i < m.data.length; i++) {
    const v = m.data[i];
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new NmflabError(`${name} must be finite and non-negative`, {
        file: typeof src === 'string' ? src : undefined,
        path: `${path}.${name}[${Math.floor(i / cols)}][${i % cols}]`,
        expected: 'a finite number ≥ 0',
        found: String(v),
      });
    }
  }
  // A zero row of H0 (column of W0) gives a zero model everywhere in that component; all of them
  // zero gives WH = 0, where the objective is infinite and multiplicative updates never move.
  let total = 0;
  for (let i = 0; i < m.data.length; i++) total += m.data[i];
  if (total === 0) {
    throw new NmflabError(`${name} is all zeros`, {
      file: typeof src === 'string' ? src : undefined,
      path: `${path}.${name}`,
      expected: 'some positive entries (multiplicative updates cannot leave 0)',
      found: `${rows}×${cols} zeros`,
    });
  }
  return m;
}

const matrixSpec = {
  anyOf: [
    { type: 'string' as const, minLength: 1 },
    { type: 'array' as const, items: { type: 'array' as const, items: { type: 'number' as const } } },
  ],
};

export default definePlugin<'initializer', { W0: Source; H0: Source }>({
  meta: {
    kind: 'initializer',
    id: 'custom',
    description: 'Given W0 and H0 (matrices or .csv/.npy file paths)',
    params: {
      W0: { description: 'initial W (F×K): rows of numbers or a .csv/.npy path', ...matrixSpec, required: true },
      H0: { description: 'initial H (K×N): rows of numbers or a .csv/.npy path', ...matrixSpec, required: true },
    },
  },
  create: ({ W0, H0 }, ctx) => ({
    id: 'custom',
    init(V, K) {
      return { W: load(W0, 'W0', ctx.path, V.rows, K), H: load(H0, 'H0', ctx.path, K, V.cols) };
    },
  }),
});
