import { describe, expect, it } from 'vitest';
import { type Matrix, NmflabError, Rng } from '@nmflab/core';
import plugin, { whiten } from '../../src/sources/image-patches.js';

const make = (extra: Record<string, unknown> = {}) =>
  plugin.create(
    {
      images: 'dead-leaves',
      imageShape: [32, 32],
      count: 3,
      size: 8,
      patches: 500,
      whiten: true,
      f0: 0.8,
      ...extra,
    } as never,
    { registry: undefined as never, path: 'data.params' },
  );

describe('source image-patches', () => {
  it('gives size²×patches signed patches of unit-variance whitened images, reproducibly', () => {
    const d = make().load(new Rng(2)) as { matrix: Matrix };
    expect(d.matrix.shape).toEqual([64, 500]);
    let m = 0,
      v = 0;
    for (const x of d.matrix.data) m += x;
    m /= d.matrix.data.length;
    for (const x of d.matrix.data) v += (x - m) ** 2;
    v /= d.matrix.data.length;
    expect(Math.abs(m)).toBeLessThan(0.2);
    expect(v).toBeGreaterThan(0.5);
    expect(v).toBeLessThan(1.5);
    expect((make().load(new Rng(2)) as { matrix: Matrix }).matrix.data).toEqual(d.matrix.data);
  });
  it('whitening removes the mean (R(0) = 0) and keeps a pure sinusoid a sinusoid', () => {
    const h = 16,
      w = 16;
    const x = new Float64Array(h * w).map((_, i) => 3 + Math.cos((2 * Math.PI * 2 * (i % w)) / w));
    const y = whiten(x, h, w, 0.8);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    expect(Math.abs(mean)).toBeLessThan(1e-9);
    const g = 2 * Math.exp(-((2 / (0.8 * 8)) ** 4));
    y.forEach((v, i) => expect(v).toBeCloseTo(g * Math.cos((2 * Math.PI * 2 * (i % w)) / w), 9));
  });
  it('rejects patches larger than the images', () => {
    expect(() => make({ size: 40 }).load(new Rng(1))).toThrow(NmflabError);
  });
});
