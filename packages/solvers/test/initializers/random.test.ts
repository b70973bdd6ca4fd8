import { describe, expect, it } from 'vitest';
import { mean } from '@nmflab/core';
import plugin from '../../src/initializers/random.js';
import { data, nonNegative, run } from '../support/initializers.js';

const init = plugin.create({}, {} as never);

describe('initializer random', () => {
  it('gives F×K and K×N non-negative factors scaled as |N(0,1)|·sqrt(mean(V)/K)', () => {
    const V = data(40, 30);
    const { W, H } = run(init, V, 5);
    expect([W.rows, W.cols, H.rows, H.cols]).toEqual([40, 5, 5, 30]);
    expect(nonNegative(W) && nonNegative(H)).toBe(true);
    // E|N(0,1)| = sqrt(2/π): the entry mean over 350 draws is within a few standard errors.
    const scale = Math.sqrt(mean(V) / 5);
    const m = (mean(W) * W.data.length + mean(H) * H.data.length) / (W.data.length + H.data.length);
    expect(Math.abs(m / scale - Math.sqrt(2 / Math.PI))).toBeLessThan(0.1);
  });
  it('same seed, same factors; different seeds differ', () => {
    const V = data();
    expect(Array.from(run(init, V, 3, 7).W.data)).toEqual(Array.from(run(init, V, 3, 7).W.data));
    expect(Array.from(run(init, V, 3, 7).H.data)).not.toEqual(Array.from(run(init, V, 3, 8).H.data));
  });
});
