import { describe, expect, it } from 'vitest';
import { mean } from '@nmflab/core';
import plugin from '../../src/initializers/nndsvda.js';
import base from '../../src/initializers/nndsvd.js';
import { data, run } from '../support/initializers.js';

describe('initializer nndsvda', () => {
  it('equals nndsvd with its zeros replaced by mean(V), deterministically', () => {
    const V = data(12, 9);
    const a = run(plugin.create({}, {} as never), V, 4);
    const b = run(base.create({}, {} as never), V, 4);
    const m = mean(V);
    for (const [x, y] of [
      [a.W, b.W],
      [a.H, b.H],
    ] as const) {
      expect(Array.from(x.data)).toEqual(Array.from(y.data).map((v) => (v === 0 ? m : v)));
    }
    expect(b.W.data.some((v) => v === 0)).toBe(true);
    expect(Array.from(run(plugin.create({}, {} as never), V, 4, 9).W.data)).toEqual(Array.from(a.W.data));
  });
});
