import { describe, expect, it } from 'vitest';
import { mean } from '@nmflab/core';
import plugin from '../../src/initializers/nndsvdar.js';
import base from '../../src/initializers/nndsvd.js';
import { data, run } from '../support/initializers.js';

describe('initializer nndsvdar', () => {
  it('keeps nndsvd non-zeros and fills its zeros with small seeded positive values (|N(0,1)|·mean(V)/100)', () => {
    const V = data(12, 9);
    const init = plugin.create({}, {} as never);
    const a = run(init, V, 4, 1);
    const b = run(base.create({}, {} as never), V, 4);
    const m = mean(V);
    let filled = 0;
    for (const [x, y] of [
      [a.W, b.W],
      [a.H, b.H],
    ] as const) {
      for (let i = 0; i < x.data.length; i++) {
        if (y.data[i] !== 0) expect(x.data[i]).toBe(y.data[i]);
        else {
          filled++;
          expect(x.data[i]).toBeGreaterThan(0);
          expect(x.data[i]).toBeLessThan((6 * m) / 100);
        }
      }
    }
    expect(filled).toBeGreaterThan(0);
    expect(Array.from(run(init, V, 4, 1).W.data)).toEqual(Array.from(a.W.data));
    expect(Array.from(run(init, V, 4, 2).W.data)).not.toEqual(Array.from(a.W.data));
  });
});
