import { describe, expect, it } from 'vitest';
import { type Matrix, Rng } from '@nmflab/core';
import swimmer from '../../src/sources/swimmer.js';

describe('source swimmer', () => {
  const data = swimmer.create({ noise: 0 }, { registry: undefined as never, path: 'data.params' }).load(new Rng(1)) as {
    matrix: Matrix;
    extra: { parts: Matrix };
  };
  const V = data.matrix,
    P = data.extra.parts;
  it('has 256 distinct binary 32×32 images, each the torso plus one position of each of the 4 limbs', () => {
    expect(V.shape).toEqual([1024, 256]);
    const cols = new Set<string>();
    for (let n = 0; n < 256; n++) {
      const col = Array.from({ length: 1024 }, (_, i) => V.data[i * 256 + n]);
      expect(col.every((x) => x === 0 || x === 1)).toBe(true);
      cols.add(col.join(''));
      // each image contains exactly 4 of the 16 parts, one per limb
      const present = Array.from({ length: 16 }, (_, k) =>
        Array.from({ length: 1024 }, (_, i) => P.data[i * 16 + k] === 0 || col[i] === 1).every(Boolean),
      );
      for (let l = 0; l < 4; l++) expect(present.slice(4 * l, 4 * l + 4).filter(Boolean)).toHaveLength(1);
    }
    expect(cols.size).toBe(256);
  });
  it('has 16 disjoint limb parts of 6–7 pixels, none on the torso (which is in every image)', () => {
    const owner = new Int32Array(1024).fill(-1);
    for (let k = 0; k < 16; k++) {
      let count = 0;
      for (let i = 0; i < 1024; i++)
        if (P.data[i * 16 + k] === 1) {
          expect(owner[i]).toBe(-1);
          owner[i] = k;
          count++;
          const r = Math.floor(i / 32),
            c = i % 32;
          expect(r >= 8 && r <= 22 && (c === 15 || c === 16)).toBe(false);
        }
      expect(count).toBeGreaterThanOrEqual(6); // a 7-step ray; rounding can merge two steps of a 30° ray
    }
  });
});
