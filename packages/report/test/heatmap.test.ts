import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { Rng } from '@nmflab/core';
import { colorLut, downsample, heatmapPng, montagePng, toDb } from '../src/heatmap.js';

const read = (buf: Buffer) => PNG.sync.read(buf);

describe('heat maps', () => {
  it('keep small matrices at one pixel per cell and shrink large ones to the display bounds', () => {
    const rng = new Rng(3);
    const small = Float64Array.from({ length: 7 * 5 }, () => rng.uniform());
    const a = heatmapPng(small, 7, 5);
    expect([a.width, a.height]).toEqual([5, 7]);
    expect([read(a.png).width, read(a.png).height]).toEqual([5, 7]);
    const big = new Float64Array(513 * 2000).fill(1);
    const b = heatmapPng(big, 513, 2000, { maxWidth: 800, maxHeight: 256 });
    const img = read(b.png);
    expect([img.width, img.height]).toEqual([800, 256]);
    expect([b.width, b.height]).toEqual([800, 256]);
  });

  it('map the minimum and maximum to the ends of the colour map, row 0 at the bottom with flipY', () => {
    // Rows 0..3 hold 0, 1, 2, 3: with flipY the top pixel row is the largest value.
    const v = Float64Array.from({ length: 4 * 2 }, (_, k) => Math.floor(k / 2));
    const lut = colorLut('viridis');
    const img = read(heatmapPng(v, 4, 2, { flipY: true }).png);
    expect([...img.data.subarray(0, 3)]).toEqual([...lut.subarray(255 * 3, 255 * 3 + 3)]);
    const last = 4 * (3 * 2);
    expect([...img.data.subarray(last, last + 3)]).toEqual([...lut.subarray(0, 3)]);
    expect(img.data[3]).toBe(255);
  });

  it('draw non-finite cells transparent', () => {
    const img = read(heatmapPng(Float64Array.from([NaN, 1, 2, 3]), 2, 2).png);
    expect(img.data[3]).toBe(0);
    expect(img.data[7]).toBe(255);
  });

  it('block-average: the mean is kept when the blocks tile the matrix', () => {
    const rng = new Rng(5);
    const v = Float64Array.from({ length: 8 * 12 }, () => rng.uniform());
    const d = downsample(v, 8, 12, 4, 3);
    const mean = (x: ArrayLike<number>) => Array.from(x).reduce((s, y) => s + y, 0) / x.length;
    expect(mean(d)).toBeCloseTo(mean(v), 12);
    expect(d[0]).toBeCloseTo((v[0] + v[1] + v[2] + v[3] + v[12] + v[13] + v[14] + v[15]) / 8, 12);
  });

  it('dB: 0 at the reference, 20·log10 for magnitudes and 10·log10 for powers, floored at −range', () => {
    const x = Float64Array.from([1, 0.1, 0.01, 0, 1e-9]);
    expect(Array.from(toDb(x))).toEqual([0, -20, -40, -80, -80].map((v, i) => (i < 3 ? expect.closeTo(v, 10) : v)));
    expect(toDb(x, { power: true })[1]).toBeCloseTo(-10, 10);
    expect(toDb(Float64Array.from([2, 4]), { ref: 4, range: 3 })[0]).toBe(-3);
    expect(Array.from(toDb(new Float64Array(3)))).toEqual([-80, -80, -80]);
  });

  it('montage: a grid of scaled tiles with gaps', () => {
    const imgs = Array.from({ length: 7 }, (_, i) => Float64Array.from({ length: 6 * 4 }, (_, k) => (k + i) % 5));
    const m = montagePng(imgs, 6, 4, { columns: 3, scale: 2 });
    const img = read(m.png);
    // 3 columns of 4·2 px + gaps of 2 px; ceil(7/3) = 3 rows of 6·2 px.
    expect([img.width, img.height]).toEqual([3 * (8 + 2) + 2, 3 * (12 + 2) + 2]);
    expect(() => montagePng([new Float64Array(5)], 6, 4)).toThrow(/pixels/);
  });
});
