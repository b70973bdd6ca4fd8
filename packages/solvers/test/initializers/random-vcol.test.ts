import { describe, expect, it } from 'vitest';
import plugin from '../../src/initializers/random-vcol.js';
import { data, nonNegative, run } from '../support/initializers.js';

describe('initializer random-vcol', () => {
  it('with p = 1 every W column is a column of V and every H row a row of V', () => {
    const V = data(8, 6);
    const { W, H } = run(plugin.create({ p: 1 }, {} as never), V, 3);
    const cols = Array.from({ length: V.cols }, (_, n) => Array.from(V.col(n)));
    const rows = V.toRows();
    for (let k = 0; k < 3; k++) {
      expect(cols).toContainEqual(Array.from(W.col(k)));
      expect(rows).toContainEqual(Array.from(H.row(k)));
    }
  });
  it('with p = 4 each W column lies between the row-wise min and max of V, shapes and determinism hold', () => {
    const V = data(8, 6);
    const init = plugin.create({ p: 4 }, {} as never);
    const { W, H } = run(init, V, 3, 5);
    expect([W.rows, W.cols, H.rows, H.cols]).toEqual([8, 3, 3, 6]);
    expect(nonNegative(W) && nonNegative(H)).toBe(true);
    for (let f = 0; f < 8; f++) {
      const r = Array.from(V.row(f));
      for (let k = 0; k < 3; k++) {
        expect(W.get(f, k)).toBeGreaterThanOrEqual(Math.min(...r) - 1e-12);
        expect(W.get(f, k)).toBeLessThanOrEqual(Math.max(...r) + 1e-12);
      }
    }
    expect(Array.from(run(init, V, 3, 5).W.data)).toEqual(Array.from(W.data));
    expect(Array.from(run(init, V, 3, 6).W.data)).not.toEqual(Array.from(W.data));
  });
});
